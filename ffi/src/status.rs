//! The one status enum every fallible function returns, with fixed numbers.

use std::ffi::c_char;

use cqlbridge_core::ErrorKind;

use crate::boundary::guard;

/// Status of every fallible call. Numbers are fixed and never reused.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cqlb_status {
    /// Success.
    CQLB_OK = 0,
    /// A required pointer argument was NULL.
    CQLB_NULL_ARGUMENT = 1,
    /// A handle was zero, stale, freed or of the wrong kind.
    CQLB_INVALID_HANDLE = 2,
    /// A string argument was not valid UTF-8.
    CQLB_INVALID_UTF8 = 3,
    /// An argument was out of range or otherwise invalid.
    CQLB_INVALID_ARGUMENT = 4,
    /// A Rust panic was caught at the boundary; the call had no effect.
    CQLB_PANIC = 5,
    /// The future has no outcome yet.
    CQLB_PENDING = 6,
    /// The value read is null.
    CQLB_NULL_VALUE = 7,
    /// The value read is of another type than the getter's.
    CQLB_WRONG_TYPE = 8,
    /// The statement does not parse.
    CQLB_SYNTAX_ERROR = 100,
    /// The server refused the request as invalid.
    CQLB_INVALID_REQUEST = 101,
    /// The keyspace or table already exists.
    CQLB_ALREADY_EXISTS = 102,
    /// The role lacks a permission.
    CQLB_UNAUTHORIZED = 103,
    /// The request is invalid because of the server's configuration.
    CQLB_CONFIGURATION_ERROR = 104,
    /// Too few replicas alive for the consistency level.
    CQLB_UNAVAILABLE = 105,
    /// The coordinator is overloaded.
    CQLB_OVERLOADED = 106,
    /// The coordinator is bootstrapping.
    CQLB_IS_BOOTSTRAPPING = 107,
    /// A truncate failed.
    CQLB_TRUNCATE_ERROR = 108,
    /// Replicas did not answer a read in time.
    CQLB_READ_TIMEOUT = 109,
    /// Replicas did not acknowledge a write in time.
    CQLB_WRITE_TIMEOUT = 110,
    /// A read failed on replicas.
    CQLB_READ_FAILURE = 111,
    /// A write failed on replicas.
    CQLB_WRITE_FAILURE = 112,
    /// A user-defined function failed.
    CQLB_FUNCTION_FAILURE = 113,
    /// Another server error.
    CQLB_SERVER_ERROR = 114,
    /// Credentials refused or missing.
    CQLB_AUTHENTICATION_FAILED = 200,
    /// No host reachable or left to try.
    CQLB_NO_HOST_AVAILABLE = 201,
    /// A client-side timeout.
    CQLB_OPERATION_TIMED_OUT = 202,
    /// A connection broke or could not be used.
    CQLB_CONNECTION_ERROR = 203,
    /// Bound values do not fit the statement.
    CQLB_BIND_ERROR = 300,
    /// Another driver failure.
    CQLB_DRIVER_ERROR = 400,
    /// Waiting on a runtime thread (inside a callback) was refused.
    CQLB_WOULD_DEADLOCK = 401,
    /// The library was used after fork() in the child process.
    CQLB_FORKED_PROCESS = 402,
    /// The request was cancelled.
    CQLB_CANCELLED = 403,
    /// A model value failed validation.
    CQLB_VALIDATION_ERROR = 500,
    /// A mapper query Cassandra would refuse.
    CQLB_QUERY_ERROR = 501,
    /// A mapper `get` found no row.
    CQLB_DOES_NOT_EXIST = 502,
    /// A mapper `get` found several rows.
    CQLB_MULTIPLE_OBJECTS_RETURNED = 503,
    /// A conditional write was not applied.
    CQLB_LWT_FAILED = 504,
    /// A model cannot be synchronized with its table.
    CQLB_SCHEMA_MISMATCH = 505,
}

impl From<ErrorKind> for cqlb_status {
    fn from(k: ErrorKind) -> Self {
        use cqlb_status::*;
        match k {
            ErrorKind::InvalidHandle => CQLB_INVALID_HANDLE,
            ErrorKind::SyntaxError => CQLB_SYNTAX_ERROR,
            ErrorKind::InvalidRequest => CQLB_INVALID_REQUEST,
            ErrorKind::AlreadyExists => CQLB_ALREADY_EXISTS,
            ErrorKind::Unauthorized => CQLB_UNAUTHORIZED,
            ErrorKind::ConfigurationError => CQLB_CONFIGURATION_ERROR,
            ErrorKind::Unavailable => CQLB_UNAVAILABLE,
            ErrorKind::Overloaded => CQLB_OVERLOADED,
            ErrorKind::IsBootstrapping => CQLB_IS_BOOTSTRAPPING,
            ErrorKind::TruncateError => CQLB_TRUNCATE_ERROR,
            ErrorKind::ReadTimeout => CQLB_READ_TIMEOUT,
            ErrorKind::WriteTimeout => CQLB_WRITE_TIMEOUT,
            ErrorKind::ReadFailure => CQLB_READ_FAILURE,
            ErrorKind::WriteFailure => CQLB_WRITE_FAILURE,
            ErrorKind::FunctionFailure => CQLB_FUNCTION_FAILURE,
            ErrorKind::ServerError => CQLB_SERVER_ERROR,
            ErrorKind::AuthenticationFailed => CQLB_AUTHENTICATION_FAILED,
            ErrorKind::NoHostAvailable => CQLB_NO_HOST_AVAILABLE,
            ErrorKind::OperationTimedOut => CQLB_OPERATION_TIMED_OUT,
            ErrorKind::ConnectionError => CQLB_CONNECTION_ERROR,
            ErrorKind::BindError => CQLB_BIND_ERROR,
            ErrorKind::InvalidArgument => CQLB_INVALID_ARGUMENT,
            ErrorKind::WouldDeadlock => CQLB_WOULD_DEADLOCK,
            ErrorKind::ForkedProcess => CQLB_FORKED_PROCESS,
            ErrorKind::Cancelled => CQLB_CANCELLED,
            ErrorKind::ValidationError => CQLB_VALIDATION_ERROR,
            ErrorKind::QueryError => CQLB_QUERY_ERROR,
            ErrorKind::DoesNotExist => CQLB_DOES_NOT_EXIST,
            ErrorKind::MultipleObjectsReturned => CQLB_MULTIPLE_OBJECTS_RETURNED,
            ErrorKind::LwtFailed => CQLB_LWT_FAILED,
            ErrorKind::SchemaMismatch => CQLB_SCHEMA_MISMATCH,
            _ => CQLB_DRIVER_ERROR,
        }
    }
}

/// The library version as a static NUL-terminated string, e.g. "0.1.0". Never NULL.
#[no_mangle]
pub extern "C" fn cqlb_version() -> *const c_char {
    guard(c"unknown".as_ptr(), || {
        concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
    })
}

/// The name of a status, e.g. "CQLB_SYNTAX_ERROR", as a static NUL-terminated string.
/// Never NULL.
#[no_mangle]
pub extern "C" fn cqlb_status_name(status: cqlb_status) -> *const c_char {
    guard(c"CQLB_PANIC".as_ptr(), || {
        use cqlb_status::*;
        let name: &'static std::ffi::CStr = match status {
            CQLB_OK => c"CQLB_OK",
            CQLB_NULL_ARGUMENT => c"CQLB_NULL_ARGUMENT",
            CQLB_INVALID_HANDLE => c"CQLB_INVALID_HANDLE",
            CQLB_INVALID_UTF8 => c"CQLB_INVALID_UTF8",
            CQLB_INVALID_ARGUMENT => c"CQLB_INVALID_ARGUMENT",
            CQLB_PANIC => c"CQLB_PANIC",
            CQLB_PENDING => c"CQLB_PENDING",
            CQLB_NULL_VALUE => c"CQLB_NULL_VALUE",
            CQLB_WRONG_TYPE => c"CQLB_WRONG_TYPE",
            CQLB_SYNTAX_ERROR => c"CQLB_SYNTAX_ERROR",
            CQLB_INVALID_REQUEST => c"CQLB_INVALID_REQUEST",
            CQLB_ALREADY_EXISTS => c"CQLB_ALREADY_EXISTS",
            CQLB_UNAUTHORIZED => c"CQLB_UNAUTHORIZED",
            CQLB_CONFIGURATION_ERROR => c"CQLB_CONFIGURATION_ERROR",
            CQLB_UNAVAILABLE => c"CQLB_UNAVAILABLE",
            CQLB_OVERLOADED => c"CQLB_OVERLOADED",
            CQLB_IS_BOOTSTRAPPING => c"CQLB_IS_BOOTSTRAPPING",
            CQLB_TRUNCATE_ERROR => c"CQLB_TRUNCATE_ERROR",
            CQLB_READ_TIMEOUT => c"CQLB_READ_TIMEOUT",
            CQLB_WRITE_TIMEOUT => c"CQLB_WRITE_TIMEOUT",
            CQLB_READ_FAILURE => c"CQLB_READ_FAILURE",
            CQLB_WRITE_FAILURE => c"CQLB_WRITE_FAILURE",
            CQLB_FUNCTION_FAILURE => c"CQLB_FUNCTION_FAILURE",
            CQLB_SERVER_ERROR => c"CQLB_SERVER_ERROR",
            CQLB_AUTHENTICATION_FAILED => c"CQLB_AUTHENTICATION_FAILED",
            CQLB_NO_HOST_AVAILABLE => c"CQLB_NO_HOST_AVAILABLE",
            CQLB_OPERATION_TIMED_OUT => c"CQLB_OPERATION_TIMED_OUT",
            CQLB_CONNECTION_ERROR => c"CQLB_CONNECTION_ERROR",
            CQLB_BIND_ERROR => c"CQLB_BIND_ERROR",
            CQLB_DRIVER_ERROR => c"CQLB_DRIVER_ERROR",
            CQLB_WOULD_DEADLOCK => c"CQLB_WOULD_DEADLOCK",
            CQLB_FORKED_PROCESS => c"CQLB_FORKED_PROCESS",
            CQLB_CANCELLED => c"CQLB_CANCELLED",
            CQLB_VALIDATION_ERROR => c"CQLB_VALIDATION_ERROR",
            CQLB_QUERY_ERROR => c"CQLB_QUERY_ERROR",
            CQLB_DOES_NOT_EXIST => c"CQLB_DOES_NOT_EXIST",
            CQLB_MULTIPLE_OBJECTS_RETURNED => c"CQLB_MULTIPLE_OBJECTS_RETURNED",
            CQLB_LWT_FAILED => c"CQLB_LWT_FAILED",
            CQLB_SCHEMA_MISMATCH => c"CQLB_SCHEMA_MISMATCH",
        };
        name.as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::CStr;

    use super::*;

    #[test]
    fn version_matches_the_crate() {
        let v = unsafe { CStr::from_ptr(cqlb_version()) };
        assert_eq!(v.to_str().unwrap(), cqlbridge_core::VERSION);
    }

    #[test]
    fn statuses_keep_their_numbers_and_names() {
        assert_eq!(
            cqlb_status::CQLB_SYNTAX_ERROR as i32,
            ErrorKind::SyntaxError as i32
        );
        assert_eq!(
            cqlb_status::from(ErrorKind::InvalidHandle),
            cqlb_status::CQLB_INVALID_HANDLE
        );
        assert_eq!(
            cqlb_status::CQLB_INVALID_HANDLE as i32,
            ErrorKind::InvalidHandle as i32
        );
        assert_eq!(
            cqlb_status::CQLB_BIND_ERROR as i32,
            ErrorKind::BindError as i32
        );
        assert_eq!(
            cqlb_status::from(ErrorKind::WriteTimeout),
            cqlb_status::CQLB_WRITE_TIMEOUT
        );
        let name = unsafe { CStr::from_ptr(cqlb_status_name(cqlb_status::CQLB_NO_HOST_AVAILABLE)) };
        assert_eq!(name.to_str().unwrap(), "CQLB_NO_HOST_AVAILABLE");
    }
}
