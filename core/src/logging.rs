//! Logging: core and the `scylla` driver log through `tracing`. Front ends route those
//! records to their host's logger (Python's `logging`, a C callback, SLF4J, ...) with
//! [`set_log_callback`].
//!
//! Core never installs a global subscriber: the forwarding subscriber is the default only on
//! the runtime's own threads, where driver work runs. A host application's own `tracing` set-up
//! is left alone.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing::subscriber::Interest;
use tracing::{Dispatch, Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// Severity of a log record, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum LogLevel {
    /// Errors.
    Error = 1,
    /// Warnings.
    Warn = 2,
    /// Information.
    Info = 3,
    /// Debugging detail.
    Debug = 4,
    /// Everything.
    Trace = 5,
}

impl From<&Level> for LogLevel {
    fn from(l: &Level) -> Self {
        match *l {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }
}

/// One log record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRecord {
    /// Its severity.
    pub level: LogLevel,
    /// Where it comes from (a module path, e.g. `scylla::network::connection`).
    pub target: String,
    /// The message, with its fields as `key=value`.
    pub message: String,
}

type Callback = Arc<dyn Fn(&LogRecord) + Send + Sync>;

static SINK: RwLock<Option<(LogLevel, Callback)>> = RwLock::new(None);

/// The sink's level as a number (0: no sink), read on every span and event: what is below
/// it is not even recorded (scylla opens a span per request).
static MAX_LEVEL: AtomicU8 = AtomicU8::new(0);

/// Sends every record at `level` or more severe to `callback` (called on runtime threads;
/// it must not block). Replaces any earlier callback.
pub fn set_log_callback(level: LogLevel, callback: impl Fn(&LogRecord) + Send + Sync + 'static) {
    let mut sink = SINK.write().unwrap_or_else(|p| p.into_inner());
    *sink = Some((level, Arc::new(callback)));
    MAX_LEVEL.store(level as u8, Ordering::Relaxed);
}

/// Stops forwarding records.
pub fn clear_log_callback() {
    let mut sink = SINK.write().unwrap_or_else(|p| p.into_inner());
    *sink = None;
    MAX_LEVEL.store(0, Ordering::Relaxed);
}

fn sink_for(level: LogLevel) -> Option<Callback> {
    match &*SINK.read().unwrap_or_else(|p| p.into_inner()) {
        Some((max, cb)) if level <= *max => Some(cb.clone()),
        _ => None,
    }
}

struct Forward;

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(
                self.0,
                "{}{value:?}",
                if self.0.is_empty() { "" } else { " " }
            );
        } else {
            let _ = write!(
                self.0,
                "{}{}={value:?}",
                if self.0.is_empty() { "" } else { " " },
                field.name()
            );
        }
    }
}

impl<S: Subscriber> Layer<S> for Forward {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        // The level can change at any time: ask `enabled` each time.
        Interest::sometimes()
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        LogLevel::from(metadata.level()) as u8 <= MAX_LEVEL.load(Ordering::Relaxed)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let level = LogLevel::from(event.metadata().level());
        if let Some(callback) = sink_for(level) {
            let mut message = Message(String::new());
            event.record(&mut message);
            callback(&LogRecord {
                level,
                target: event.metadata().target().to_owned(),
                message: message.0,
            });
        }
    }
}

/// The dispatcher installed on the runtime's threads: one for all of them, since a span
/// created on one thread may close on another.
pub(crate) fn dispatch() -> &'static Dispatch {
    static DISPATCH: OnceLock<Dispatch> = OnceLock::new();
    DISPATCH.get_or_init(|| Dispatch::new(tracing_subscriber::registry().with(Forward)))
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn records_on_runtime_threads_reach_the_callback_at_its_level() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        set_log_callback(LogLevel::Info, move |r| s.lock().unwrap().push(r.clone()));
        crate::runtime::block_on(async {
            tracing::warn!(node = "127.0.0.1", "cqlbridge-logging-test warn");
            tracing::debug!("cqlbridge-logging-test debug");
            // Below the sink's level nothing is recorded, spans included.
            assert!(tracing::debug_span!("cqlbridge-logging-test").is_disabled());
            assert!(!tracing::info_span!("cqlbridge-logging-test").is_disabled());
        })
        .unwrap();
        // A record on this (non-runtime) thread is not captured: nothing global was installed.
        tracing::error!("cqlbridge-logging-test from the host's thread");
        clear_log_callback();
        let seen = seen.lock().unwrap();
        let ours: Vec<_> = seen
            .iter()
            .filter(|r| r.message.contains("cqlbridge-logging-test"))
            .collect();
        assert_eq!(ours.len(), 1, "{seen:?}");
        assert_eq!(ours[0].level, LogLevel::Warn);
        assert_eq!(
            ours[0].message,
            "cqlbridge-logging-test warn node=\"127.0.0.1\""
        );
    }
}
