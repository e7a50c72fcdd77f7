//! Statements and their per-request options, and the consistency levels.

use std::time::Duration;

use scylla::statement::{Consistency as ScyllaConsistency, SerialConsistency as ScyllaSerial};

/// A consistency level. Default: [`Consistency::LocalOne`], as in the DataStax drivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[repr(u16)]
pub enum Consistency {
    /// ANY (writes only).
    Any = 0x0000,
    /// ONE
    One = 0x0001,
    /// TWO
    Two = 0x0002,
    /// THREE
    Three = 0x0003,
    /// QUORUM
    Quorum = 0x0004,
    /// ALL
    All = 0x0005,
    /// LOCAL_QUORUM
    LocalQuorum = 0x0006,
    /// EACH_QUORUM
    EachQuorum = 0x0007,
    /// SERIAL (reads of LWT state)
    Serial = 0x0008,
    /// LOCAL_SERIAL
    LocalSerial = 0x0009,
    /// LOCAL_ONE
    #[default]
    LocalOne = 0x000A,
}

impl Consistency {
    /// The level's protocol name, e.g. `LOCAL_QUORUM`.
    pub fn name(self) -> &'static str {
        match self {
            Consistency::Any => "ANY",
            Consistency::One => "ONE",
            Consistency::Two => "TWO",
            Consistency::Three => "THREE",
            Consistency::Quorum => "QUORUM",
            Consistency::All => "ALL",
            Consistency::LocalQuorum => "LOCAL_QUORUM",
            Consistency::EachQuorum => "EACH_QUORUM",
            Consistency::Serial => "SERIAL",
            Consistency::LocalSerial => "LOCAL_SERIAL",
            Consistency::LocalOne => "LOCAL_ONE",
        }
    }
}

/// A consistency level from its protocol code (`0x0006` is LOCAL_QUORUM); the error names the
/// unknown code.
impl TryFrom<u16> for Consistency {
    type Error = crate::Error;

    fn try_from(code: u16) -> Result<Self, crate::Error> {
        const ALL: [Consistency; 11] = [
            Consistency::Any,
            Consistency::One,
            Consistency::Two,
            Consistency::Three,
            Consistency::Quorum,
            Consistency::All,
            Consistency::LocalQuorum,
            Consistency::EachQuorum,
            Consistency::Serial,
            Consistency::LocalSerial,
            Consistency::LocalOne,
        ];
        ALL.into_iter().find(|c| *c as u16 == code).ok_or_else(|| {
            crate::Error::InvalidArgument(format!("unknown consistency level {code:#06x}"))
        })
    }
}

/// A serial consistency from its protocol code: `0x0008` SERIAL, `0x0009` LOCAL_SERIAL.
impl TryFrom<u16> for SerialConsistency {
    type Error = crate::Error;

    fn try_from(code: u16) -> Result<Self, crate::Error> {
        match Consistency::try_from(code) {
            Ok(Consistency::Serial) => Ok(SerialConsistency::Serial),
            Ok(Consistency::LocalSerial) => Ok(SerialConsistency::LocalSerial),
            _ => Err(crate::Error::InvalidArgument(format!(
                "{code:#06x} is not a serial consistency"
            ))),
        }
    }
}

impl std::fmt::Display for Consistency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<Consistency> for ScyllaConsistency {
    fn from(c: Consistency) -> Self {
        match c {
            Consistency::Any => Self::Any,
            Consistency::One => Self::One,
            Consistency::Two => Self::Two,
            Consistency::Three => Self::Three,
            Consistency::Quorum => Self::Quorum,
            Consistency::All => Self::All,
            Consistency::LocalQuorum => Self::LocalQuorum,
            Consistency::EachQuorum => Self::EachQuorum,
            Consistency::Serial => Self::Serial,
            Consistency::LocalSerial => Self::LocalSerial,
            Consistency::LocalOne => Self::LocalOne,
        }
    }
}

impl From<ScyllaConsistency> for Consistency {
    fn from(c: ScyllaConsistency) -> Self {
        match c {
            ScyllaConsistency::Any => Self::Any,
            ScyllaConsistency::One => Self::One,
            ScyllaConsistency::Two => Self::Two,
            ScyllaConsistency::Three => Self::Three,
            ScyllaConsistency::Quorum => Self::Quorum,
            ScyllaConsistency::All => Self::All,
            ScyllaConsistency::LocalQuorum => Self::LocalQuorum,
            ScyllaConsistency::EachQuorum => Self::EachQuorum,
            ScyllaConsistency::Serial => Self::Serial,
            ScyllaConsistency::LocalSerial => Self::LocalSerial,
            ScyllaConsistency::LocalOne => Self::LocalOne,
        }
    }
}

/// The consistency of the Paxos phase of lightweight transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SerialConsistency {
    /// SERIAL
    Serial,
    /// LOCAL_SERIAL
    LocalSerial,
}

impl From<SerialConsistency> for ScyllaSerial {
    fn from(c: SerialConsistency) -> Self {
        match c {
            SerialConsistency::Serial => Self::Serial,
            SerialConsistency::LocalSerial => Self::LocalSerial,
        }
    }
}

/// Options of one request. Unset options take the session's defaults.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatementOptions {
    /// Consistency level.
    pub consistency: Option<Consistency>,
    /// Serial consistency, for lightweight transactions.
    pub serial_consistency: Option<SerialConsistency>,
    /// Rows per page; the session's default (5000) when unset.
    pub page_size: Option<i32>,
    /// Client-side request timeout.
    pub timeout: Option<Duration>,
    /// Whether the statement may be retried or speculatively executed safely.
    pub idempotent: bool,
    /// Client-side write timestamp, in microseconds since the epoch.
    pub timestamp: Option<i64>,
    /// Ask the server to trace the request.
    pub tracing: bool,
    /// The execution profile to use, by name (the default profile when unset).
    pub profile: Option<String>,
    /// Send the request to this node (its address, `ip` or `ip:port`), bypassing load
    /// balancing; an error if that node is not available.
    pub host: Option<String>,
}

/// A CQL string with its options. Values are bound separately, never interpolated.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The CQL text.
    pub cql: String,
    /// Per-request options.
    pub options: StatementOptions,
}

impl Statement {
    /// A statement with default options.
    pub fn new(cql: impl Into<String>) -> Self {
        Statement {
            cql: cql.into(),
            options: StatementOptions::default(),
        }
    }

    /// Sets the consistency level.
    pub fn with_consistency(mut self, c: Consistency) -> Self {
        self.options.consistency = Some(c);
        self
    }

    /// Sets the serial consistency.
    pub fn with_serial_consistency(mut self, c: SerialConsistency) -> Self {
        self.options.serial_consistency = Some(c);
        self
    }

    /// Sets the page size.
    pub fn with_page_size(mut self, rows: i32) -> Self {
        self.options.page_size = Some(rows);
        self
    }

    /// Sets the client-side timeout.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Marks the statement idempotent.
    pub fn with_idempotent(mut self, idempotent: bool) -> Self {
        self.options.idempotent = idempotent;
        self
    }

    /// Asks the server to trace the request.
    pub fn with_tracing(mut self, tracing: bool) -> Self {
        self.options.tracing = tracing;
        self
    }

    /// Uses the named execution profile.
    pub fn with_profile(mut self, name: impl Into<String>) -> Self {
        self.options.profile = Some(name.into());
        self
    }

    /// Sends the request to this node only.
    pub fn with_host(mut self, host: impl Into<String>) -> Self {
        self.options.host = Some(host.into());
        self
    }

    /// Sets the client-side write timestamp (µs since the epoch).
    pub fn with_timestamp(mut self, micros: i64) -> Self {
        self.options.timestamp = Some(micros);
        self
    }
}

impl From<&str> for Statement {
    fn from(cql: &str) -> Self {
        Statement::new(cql)
    }
}

impl From<String> for Statement {
    fn from(cql: String) -> Self {
        Statement::new(cql)
    }
}

/// Bound values: by position, or by marker name.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Values {
    /// No values.
    #[default]
    None,
    /// One value per marker, in order.
    Positional(Vec<crate::Value>),
    /// Values by marker name; a marker without a value is left unset.
    Named(Vec<(String, crate::Value)>),
}

impl Values {
    /// Whether no value is given.
    pub fn is_empty(&self) -> bool {
        match self {
            Values::None => true,
            Values::Positional(v) => v.is_empty(),
            Values::Named(v) => v.is_empty(),
        }
    }
}

impl From<Vec<crate::Value>> for Values {
    fn from(v: Vec<crate::Value>) -> Self {
        Values::Positional(v)
    }
}

impl From<()> for Values {
    fn from(_: ()) -> Self {
        Values::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_convert_from_their_protocol_codes() {
        for c in [
            Consistency::Any,
            Consistency::LocalQuorum,
            Consistency::LocalOne,
        ] {
            assert_eq!(Consistency::try_from(c as u16).unwrap(), c);
        }
        assert!(Consistency::try_from(0x000B).is_err());
        assert_eq!(
            SerialConsistency::try_from(0x0009).unwrap(),
            SerialConsistency::LocalSerial
        );
        assert!(SerialConsistency::try_from(0x0001).is_err());
    }
}
