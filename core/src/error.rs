//! One typed error for everything core does.
//!
//! Server errors keep every detail the server sent (consistency, required and received
//! replica counts, write type, ...). Client-side errors say what was wrong before anything
//! was sent. [`Error::kind`] gives a flat, stable [`ErrorKind`] that front ends map to their
//! own status codes and exception classes.

use std::time::Duration;

use scylla::errors::{
    ConnectionError, ConnectionPoolError, ConnectionSetupRequestErrorKind, DbError, ExecutionError,
    MetadataError, NewSessionError, PagerExecutionError, PrepareError, RequestAttemptError,
    UseKeyspaceError,
};

use crate::Consistency;

/// The result type of core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure core reports.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error; its details are kept.
    #[error("{0}")]
    Server(#[from] ServerError),
    /// The credentials were refused, or the server requires credentials that were not given.
    #[error("authentication failed: {0}")]
    AuthenticationFailed(String),
    /// No host could be reached (connect) or none was left to try (request).
    #[error("no host available: {0}")]
    NoHostAvailable(String),
    /// Connecting did not finish within the connect timeout.
    #[error("connect timed out after {0:?}")]
    ConnectTimeout(Duration),
    /// A request got no answer within its client-side timeout.
    #[error("operation timed out after {0:?}")]
    OperationTimedOut(Duration),
    /// A connection broke or could not be used.
    #[error("connection error: {0}")]
    Connection(String),
    /// The number of bound values does not match the statement's markers.
    #[error("wrong number of bound values: the statement has {expected} markers, {got} values were given")]
    BindArity {
        /// Markers in the statement.
        expected: usize,
        /// Values given.
        got: usize,
    },
    /// A bound value does not fit its column's type.
    #[error("cannot bind value {index} ({column}): {reason}")]
    BindType {
        /// Zero-based position of the marker.
        index: usize,
        /// The marker's name (the column it binds).
        column: String,
        /// What did not fit.
        reason: String,
    },
    /// An object was used after it was closed or freed, or on a session it does not belong
    /// to (a closed session, a released prepared statement). Nothing was sent.
    #[error("invalid handle: {0}")]
    InvalidHandle(String),
    /// A statement of a batch did not bind; `error` says how (one of the bind errors).
    #[error("batch statement {statement}: {error}")]
    BatchBind {
        /// Zero-based position of the statement in the batch.
        statement: usize,
        /// The statement's bind error.
        error: Box<Error>,
    },
    /// A named value matches no marker of the statement.
    #[error("no bind marker named {0:?} in the statement")]
    UnknownBindName(String),
    /// An argument is invalid (empty contact points, a bad keyspace name, ...).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The configuration cannot be used.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// The server sent something the driver could not decode.
    #[error("protocol error: {0}")]
    Protocol(String),
    /// Anything else the driver reported; the message says what.
    #[error("driver error: {0}")]
    Driver(String),
    /// Blocking was asked for on a runtime thread (a callback or an async task), where it
    /// could wait forever for work that needs that very thread.
    #[error("waiting here would deadlock: this is a driver runtime thread (a callback or an async task)")]
    WouldDeadlock,
    /// This process was forked after the driver's runtime started; the runtime's threads do
    /// not exist here. Connect again only in a process that has not used the driver.
    #[error("the driver was started in process {parent} and cannot be used after fork(); create clusters and sessions in the child")]
    ForkedProcess {
        /// The PID of the process that started the runtime.
        parent: u32,
    },
    /// The request was cancelled before it completed.
    #[error("the request was cancelled")]
    Cancelled,
    /// A model value failed validation (cqlengine's `ValidationError`); nothing was sent.
    #[error("{model}.{column}: {reason}")]
    Validation {
        /// The model.
        model: String,
        /// The column (attribute name).
        column: String,
        /// What is wrong.
        reason: String,
    },
    /// A mapper query Cassandra would refuse, caught before sending (cqlengine's
    /// `QueryException`).
    #[error("invalid query on {model}: {reason}")]
    Query {
        /// The model.
        model: String,
        /// What is wrong.
        reason: String,
    },
    /// `get` found no row (cqlengine's `Model.DoesNotExist`).
    #[error("{model} matching the query does not exist")]
    DoesNotExist {
        /// The model.
        model: String,
    },
    /// `get` found several rows (cqlengine's `Model.MultipleObjectsReturned`).
    #[error("{count} {model} rows match a query that expects one")]
    MultipleObjectsReturned {
        /// The model.
        model: String,
        /// How many rows came back (at most 2 are fetched).
        count: usize,
    },
    /// A conditional write was not applied (cqlengine's `LWTException`); carries the
    /// existing row's values by column name.
    #[error("the conditional write was not applied; existing: {existing:?}")]
    LwtFailed {
        /// The existing row (empty when the row does not exist).
        existing: Vec<(String, crate::Value)>,
    },
    /// The model cannot be synchronized with its table (a primary-key change).
    #[error("{0}")]
    SchemaMismatch(String),
}

/// An error answered by the server, with its details.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind_name}: {message}", kind_name = self.kind.name())]
pub struct ServerError {
    /// What kind of error, with the kind's details.
    pub kind: ServerErrorKind,
    /// The server's own message.
    pub message: String,
}

/// The server's error codes, with the details each carries.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ServerErrorKind {
    /// The statement does not parse.
    SyntaxError,
    /// The statement parses but is invalid (unknown table, wrong types, ...).
    Invalid,
    /// The keyspace or table already exists.
    AlreadyExists {
        /// The keyspace.
        keyspace: String,
        /// The table; empty when a keyspace already exists.
        table: String,
    },
    /// A user-defined function failed.
    FunctionFailure {
        /// Keyspace of the function.
        keyspace: String,
        /// Function name.
        function: String,
        /// Its argument types.
        arg_types: Vec<String>,
    },
    /// The server refused the credentials.
    AuthenticationError,
    /// The logged-in role lacks a permission.
    Unauthorized,
    /// The statement is invalid because of the server's configuration.
    ConfigError,
    /// Too few replicas alive for the consistency level.
    Unavailable {
        /// The consistency level asked for.
        consistency: Consistency,
        /// Replicas required.
        required: i32,
        /// Replicas known alive.
        alive: i32,
    },
    /// The coordinator is overloaded.
    Overloaded,
    /// The coordinator is still bootstrapping.
    IsBootstrapping,
    /// A truncate failed.
    TruncateError,
    /// Replicas did not answer a read in time.
    ReadTimeout {
        /// The consistency level asked for.
        consistency: Consistency,
        /// Replicas that answered.
        received: i32,
        /// Replicas required.
        required: i32,
        /// Whether the replica asked for data answered.
        data_present: bool,
    },
    /// Replicas did not acknowledge a write in time.
    WriteTimeout {
        /// The consistency level asked for.
        consistency: Consistency,
        /// Replicas that acknowledged.
        received: i32,
        /// Replicas required.
        required: i32,
        /// The write type (SIMPLE, BATCH, BATCH_LOG, UNLOGGED_BATCH, COUNTER, CAS, VIEW, CDC).
        write_type: String,
    },
    /// A read failed on replicas (not a timeout).
    ReadFailure {
        /// The consistency level asked for.
        consistency: Consistency,
        /// Replicas that answered.
        received: i32,
        /// Replicas required.
        required: i32,
        /// Replicas that failed.
        failures: i32,
        /// Whether the replica asked for data answered.
        data_present: bool,
    },
    /// A write failed on replicas (not a timeout).
    WriteFailure {
        /// The consistency level asked for.
        consistency: Consistency,
        /// Replicas that acknowledged.
        received: i32,
        /// Replicas required.
        required: i32,
        /// Replicas that failed.
        failures: i32,
        /// The write type.
        write_type: String,
    },
    /// The prepared statement is unknown to the coordinator.
    Unprepared,
    /// An internal server error.
    ServerError,
    /// The server saw a protocol violation.
    ProtocolError,
    /// A rate limit was reached (ScyllaDB).
    RateLimitReached,
    /// An error code this driver does not know.
    Other(i32),
}

/// A server error's details, flattened: what every front end shows beside the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerErrorDetails {
    /// The protocol's error code (e.g. 0x2200 Invalid, 0x1100 WriteTimeout); -1 if unknown.
    pub code: i32,
    /// The consistency level asked for (availability, timeout and failure errors).
    pub consistency: Option<Consistency>,
    /// Replicas required.
    pub required: Option<i32>,
    /// Replicas that answered (alive, for Unavailable).
    pub received: Option<i32>,
    /// Replicas that failed (read and write failures).
    pub failures: Option<i32>,
    /// Whether the replica asked for data answered (read timeouts and failures).
    pub data_present: Option<bool>,
    /// The write type (write timeouts and failures).
    pub write_type: Option<String>,
    /// The keyspace (AlreadyExists, FunctionFailure).
    pub keyspace: Option<String>,
    /// The table (AlreadyExists; empty for a keyspace), or the function (FunctionFailure).
    pub table: Option<String>,
}

impl ServerErrorKind {
    /// The kind's protocol error code, and the details it carries.
    pub fn details(&self) -> ServerErrorDetails {
        use ServerErrorKind as K;
        let mut d = ServerErrorDetails::default();
        d.code = match self {
            K::ServerError => 0x0000,
            K::ProtocolError => 0x000A,
            K::AuthenticationError => 0x0100,
            K::Unavailable {
                consistency,
                required,
                alive,
            } => {
                (d.consistency, d.required, d.received) =
                    (Some(*consistency), Some(*required), Some(*alive));
                0x1000
            }
            K::Overloaded => 0x1001,
            K::IsBootstrapping => 0x1002,
            K::TruncateError => 0x1003,
            K::WriteTimeout {
                consistency,
                received,
                required,
                write_type,
            } => {
                (d.consistency, d.required, d.received) =
                    (Some(*consistency), Some(*required), Some(*received));
                d.write_type = Some(write_type.clone());
                0x1100
            }
            K::ReadTimeout {
                consistency,
                received,
                required,
                data_present,
            } => {
                (d.consistency, d.required, d.received) =
                    (Some(*consistency), Some(*required), Some(*received));
                d.data_present = Some(*data_present);
                0x1200
            }
            K::ReadFailure {
                consistency,
                received,
                required,
                failures,
                data_present,
            } => {
                (d.consistency, d.required, d.received) =
                    (Some(*consistency), Some(*required), Some(*received));
                (d.failures, d.data_present) = (Some(*failures), Some(*data_present));
                0x1300
            }
            K::FunctionFailure {
                keyspace, function, ..
            } => {
                (d.keyspace, d.table) = (Some(keyspace.clone()), Some(function.clone()));
                0x1400
            }
            K::WriteFailure {
                consistency,
                received,
                required,
                failures,
                write_type,
            } => {
                (d.consistency, d.required, d.received) =
                    (Some(*consistency), Some(*required), Some(*received));
                (d.failures, d.write_type) = (Some(*failures), Some(write_type.clone()));
                0x1500
            }
            K::SyntaxError => 0x2000,
            K::Unauthorized => 0x2100,
            K::Invalid => 0x2200,
            K::ConfigError => 0x2300,
            K::AlreadyExists { keyspace, table } => {
                (d.keyspace, d.table) = (Some(keyspace.clone()), Some(table.clone()));
                0x2400
            }
            K::Unprepared => 0x2500,
            K::Other(code) => *code,
            K::RateLimitReached => -1,
        };
        d
    }

    /// The error's name as the server's protocol spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Self::SyntaxError => "SyntaxError",
            Self::Invalid => "Invalid",
            Self::AlreadyExists { .. } => "AlreadyExists",
            Self::FunctionFailure { .. } => "FunctionFailure",
            Self::AuthenticationError => "AuthenticationError",
            Self::Unauthorized => "Unauthorized",
            Self::ConfigError => "ConfigError",
            Self::Unavailable { .. } => "Unavailable",
            Self::Overloaded => "Overloaded",
            Self::IsBootstrapping => "IsBootstrapping",
            Self::TruncateError => "TruncateError",
            Self::ReadTimeout { .. } => "ReadTimeout",
            Self::WriteTimeout { .. } => "WriteTimeout",
            Self::ReadFailure { .. } => "ReadFailure",
            Self::WriteFailure { .. } => "WriteFailure",
            Self::Unprepared => "Unprepared",
            Self::ServerError => "ServerError",
            Self::ProtocolError => "ProtocolError",
            Self::RateLimitReached => "RateLimitReached",
            Self::Other(_) => "Other",
        }
    }
}

/// A flat classification of [`Error`], stable across releases: front ends map it to their
/// status codes (C) and exception classes (Python, Kotlin, Swift). Numbers are never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An object used after it was closed or freed (the C ABI's `CQLB_INVALID_HANDLE`).
    InvalidHandle = 2,
    /// [`ServerErrorKind::SyntaxError`].
    SyntaxError = 100,
    /// [`ServerErrorKind::Invalid`].
    InvalidRequest = 101,
    /// [`ServerErrorKind::AlreadyExists`].
    AlreadyExists = 102,
    /// [`ServerErrorKind::Unauthorized`].
    Unauthorized = 103,
    /// [`ServerErrorKind::ConfigError`].
    ConfigurationError = 104,
    /// [`ServerErrorKind::Unavailable`].
    Unavailable = 105,
    /// [`ServerErrorKind::Overloaded`].
    Overloaded = 106,
    /// [`ServerErrorKind::IsBootstrapping`].
    IsBootstrapping = 107,
    /// [`ServerErrorKind::TruncateError`].
    TruncateError = 108,
    /// [`ServerErrorKind::ReadTimeout`].
    ReadTimeout = 109,
    /// [`ServerErrorKind::WriteTimeout`].
    WriteTimeout = 110,
    /// [`ServerErrorKind::ReadFailure`].
    ReadFailure = 111,
    /// [`ServerErrorKind::WriteFailure`].
    WriteFailure = 112,
    /// [`ServerErrorKind::FunctionFailure`].
    FunctionFailure = 113,
    /// Any other server error.
    ServerError = 114,
    /// Credentials refused or missing.
    AuthenticationFailed = 200,
    /// No host reachable or left to try.
    NoHostAvailable = 201,
    /// A client-side timeout (connect or request).
    OperationTimedOut = 202,
    /// A broken or unusable connection.
    ConnectionError = 203,
    /// Bound values do not fit the statement (arity, type, unknown name).
    BindError = 300,
    /// An invalid argument or configuration.
    InvalidArgument = 301,
    /// Undecodable data from the server, or another driver failure.
    DriverError = 400,
    /// Blocking on a runtime thread was refused.
    WouldDeadlock = 401,
    /// The driver was used after fork().
    ForkedProcess = 402,
    /// The request was cancelled.
    Cancelled = 403,
    /// A model value failed validation.
    ValidationError = 500,
    /// A mapper query Cassandra would refuse.
    QueryError = 501,
    /// `get` found no row.
    DoesNotExist = 502,
    /// `get` found several rows.
    MultipleObjectsReturned = 503,
    /// A conditional write was not applied.
    LwtFailed = 504,
    /// A model cannot be synchronized with its table.
    SchemaMismatch = 505,
}

impl Error {
    /// The flat kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Server(e) => match &e.kind {
                ServerErrorKind::SyntaxError => ErrorKind::SyntaxError,
                ServerErrorKind::Invalid => ErrorKind::InvalidRequest,
                ServerErrorKind::AlreadyExists { .. } => ErrorKind::AlreadyExists,
                ServerErrorKind::Unauthorized => ErrorKind::Unauthorized,
                ServerErrorKind::ConfigError => ErrorKind::ConfigurationError,
                ServerErrorKind::Unavailable { .. } => ErrorKind::Unavailable,
                ServerErrorKind::Overloaded => ErrorKind::Overloaded,
                ServerErrorKind::IsBootstrapping => ErrorKind::IsBootstrapping,
                ServerErrorKind::TruncateError => ErrorKind::TruncateError,
                ServerErrorKind::ReadTimeout { .. } => ErrorKind::ReadTimeout,
                ServerErrorKind::WriteTimeout { .. } => ErrorKind::WriteTimeout,
                ServerErrorKind::ReadFailure { .. } => ErrorKind::ReadFailure,
                ServerErrorKind::WriteFailure { .. } => ErrorKind::WriteFailure,
                ServerErrorKind::FunctionFailure { .. } => ErrorKind::FunctionFailure,
                ServerErrorKind::AuthenticationError => ErrorKind::AuthenticationFailed,
                _ => ErrorKind::ServerError,
            },
            Error::AuthenticationFailed(_) => ErrorKind::AuthenticationFailed,
            Error::NoHostAvailable(_) => ErrorKind::NoHostAvailable,
            Error::ConnectTimeout(_) | Error::OperationTimedOut(_) => ErrorKind::OperationTimedOut,
            Error::Connection(_) => ErrorKind::ConnectionError,
            Error::BindArity { .. }
            | Error::BindType { .. }
            | Error::UnknownBindName(_)
            | Error::BatchBind { .. } => ErrorKind::BindError,
            Error::InvalidArgument(_) | Error::InvalidConfig(_) => ErrorKind::InvalidArgument,
            Error::InvalidHandle(_) => ErrorKind::InvalidHandle,
            Error::Protocol(_) | Error::Driver(_) => ErrorKind::DriverError,
            Error::WouldDeadlock => ErrorKind::WouldDeadlock,
            Error::ForkedProcess { .. } => ErrorKind::ForkedProcess,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Validation { .. } => ErrorKind::ValidationError,
            Error::Query { .. } => ErrorKind::QueryError,
            Error::DoesNotExist { .. } => ErrorKind::DoesNotExist,
            Error::MultipleObjectsReturned { .. } => ErrorKind::MultipleObjectsReturned,
            Error::LwtFailed { .. } => ErrorKind::LwtFailed,
            Error::SchemaMismatch(_) => ErrorKind::SchemaMismatch,
        }
    }

    /// The server error's details, when the server answered with an error.
    pub fn server_error(&self) -> Option<&ServerError> {
        match self {
            Error::Server(e) => Some(e),
            _ => None,
        }
    }
}

fn server_error(db: &DbError, message: &str) -> Error {
    use ServerErrorKind as K;
    let kind = match db {
        DbError::SyntaxError => K::SyntaxError,
        DbError::Invalid => K::Invalid,
        DbError::AlreadyExists { keyspace, table } => K::AlreadyExists {
            keyspace: keyspace.clone(),
            table: table.clone(),
        },
        DbError::FunctionFailure {
            keyspace,
            function,
            arg_types,
        } => K::FunctionFailure {
            keyspace: keyspace.clone(),
            function: function.clone(),
            arg_types: arg_types.clone(),
        },
        DbError::AuthenticationError => {
            return Error::AuthenticationFailed(message.to_owned());
        }
        DbError::Unauthorized => K::Unauthorized,
        DbError::ConfigError => K::ConfigError,
        DbError::Unavailable {
            consistency,
            required,
            alive,
        } => K::Unavailable {
            consistency: (*consistency).into(),
            required: *required,
            alive: *alive,
        },
        DbError::Overloaded => K::Overloaded,
        DbError::IsBootstrapping => K::IsBootstrapping,
        DbError::TruncateError => K::TruncateError,
        DbError::ReadTimeout {
            consistency,
            received,
            required,
            data_present,
        } => K::ReadTimeout {
            consistency: (*consistency).into(),
            received: *received,
            required: *required,
            data_present: *data_present,
        },
        DbError::WriteTimeout {
            consistency,
            received,
            required,
            write_type,
        } => K::WriteTimeout {
            consistency: (*consistency).into(),
            received: *received,
            required: *required,
            write_type: write_type.as_str().to_owned(),
        },
        DbError::ReadFailure {
            consistency,
            received,
            required,
            numfailures,
            data_present,
        } => K::ReadFailure {
            consistency: (*consistency).into(),
            received: *received,
            required: *required,
            failures: *numfailures,
            data_present: *data_present,
        },
        DbError::WriteFailure {
            consistency,
            received,
            required,
            numfailures,
            write_type,
        } => K::WriteFailure {
            consistency: (*consistency).into(),
            received: *received,
            required: *required,
            failures: *numfailures,
            write_type: write_type.as_str().to_owned(),
        },
        DbError::Unprepared { .. } => K::Unprepared,
        DbError::ServerError => K::ServerError,
        DbError::ProtocolError => K::ProtocolError,
        DbError::RateLimitReached { .. } => K::RateLimitReached,
        DbError::Other(code) => K::Other(*code),
        _ => K::Other(-1),
    };
    Error::Server(ServerError {
        kind,
        message: message.to_owned(),
    })
}

impl From<&RequestAttemptError> for Error {
    fn from(e: &RequestAttemptError) -> Self {
        match e {
            RequestAttemptError::DbError(db, message) => server_error(db, message),
            RequestAttemptError::SerializationError(s) => Error::Driver(s.to_string()),
            RequestAttemptError::BrokenConnectionError(b) => Error::Connection(b.to_string()),
            RequestAttemptError::CqlResultParseError(p) => Error::Protocol(p.to_string()),
            RequestAttemptError::CqlErrorParseError(p) => Error::Protocol(p.to_string()),
            other => Error::Driver(other.to_string()),
        }
    }
}

impl From<&ConnectionError> for Error {
    fn from(e: &ConnectionError) -> Self {
        match e {
            ConnectionError::ConnectTimeout => Error::Connection(e.to_string()),
            ConnectionError::ConnectionSetupRequestError(setup) => match &setup.error {
                ConnectionSetupRequestErrorKind::DbError(db, message) => server_error(db, message),
                ConnectionSetupRequestErrorKind::MissingAuthentication => {
                    Error::AuthenticationFailed(
                        "the server requires authentication and no credentials were given"
                            .to_owned(),
                    )
                }
                ConnectionSetupRequestErrorKind::StartAuthSessionError(a)
                | ConnectionSetupRequestErrorKind::AuthChallengeEvaluationError(a)
                | ConnectionSetupRequestErrorKind::AuthFinishError(a) => {
                    Error::AuthenticationFailed(a.to_string())
                }
                _ => Error::Connection(setup.to_string()),
            },
            other => Error::Connection(other.to_string()),
        }
    }
}

impl From<&ConnectionPoolError> for Error {
    fn from(e: &ConnectionPoolError) -> Self {
        match e {
            ConnectionPoolError::Broken {
                last_connection_error,
            } => {
                match Error::from(last_connection_error) {
                    // A refused or reset connection: the host is not available.
                    Error::Connection(msg) => Error::NoHostAvailable(msg),
                    specific => specific,
                }
            }
            other => Error::NoHostAvailable(other.to_string()),
        }
    }
}

impl From<&MetadataError> for Error {
    fn from(e: &MetadataError) -> Self {
        match e {
            MetadataError::ConnectionPoolError(p) => p.into(),
            other => Error::Driver(other.to_string()),
        }
    }
}

impl From<&UseKeyspaceError> for Error {
    fn from(e: &UseKeyspaceError) -> Self {
        match e {
            UseKeyspaceError::BadKeyspaceName(b) => Error::InvalidArgument(b.to_string()),
            UseKeyspaceError::RequestError(r) => r.into(),
            UseKeyspaceError::RequestTimeout(d) => Error::OperationTimedOut(*d),
            other => Error::Driver(other.to_string()),
        }
    }
}

impl From<PrepareError> for Error {
    fn from(e: PrepareError) -> Self {
        match &e {
            PrepareError::ConnectionPoolError(p) => p.into(),
            PrepareError::AllAttemptsFailed { first_attempt } => first_attempt.into(),
            other => Error::Driver(other.to_string()),
        }
    }
}

impl From<ExecutionError> for Error {
    fn from(e: ExecutionError) -> Self {
        match e {
            ExecutionError::LastAttemptError(a) => (&a).into(),
            ExecutionError::PrepareError(p) => p.into(),
            ExecutionError::ConnectionPoolError(p) => (&p).into(),
            ExecutionError::RequestTimeout(d) => Error::OperationTimedOut(d),
            ExecutionError::EmptyPlan => {
                Error::NoHostAvailable("the load-balancing plan had no host to try".to_owned())
            }
            ExecutionError::UseKeyspaceError(u) => (&u).into(),
            ExecutionError::MetadataError(m) => (&m).into(),
            ExecutionError::BadQuery(b) => Error::InvalidArgument(b.to_string()),
            other => Error::Driver(other.to_string()),
        }
    }
}

impl From<PagerExecutionError> for Error {
    fn from(e: PagerExecutionError) -> Self {
        match e {
            PagerExecutionError::PrepareError(p) => p.into(),
            PagerExecutionError::UseKeyspaceError(u) => (&u).into(),
            PagerExecutionError::MetadataError(m) => (&m).into(),
            other => Error::Driver(other.to_string()),
        }
    }
}

impl From<NewSessionError> for Error {
    fn from(e: NewSessionError) -> Self {
        match e {
            NewSessionError::EmptyKnownNodesList => {
                Error::InvalidConfig("no contact points were given".to_owned())
            }
            NewSessionError::FailedToResolveAnyHostname(hosts) => Error::NoHostAvailable(format!(
                "no contact point could be resolved: {}",
                hosts.join(", ")
            )),
            NewSessionError::MetadataError(m) => (&m).into(),
            NewSessionError::UseKeyspaceError(u) => (&u).into(),
            NewSessionError::IllegalConfig(msg) => Error::InvalidConfig(msg.to_string()),
            other => Error::Driver(other.to_string()),
        }
    }
}
