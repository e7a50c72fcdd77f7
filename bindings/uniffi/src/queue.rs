//! The completion queue: requests complete into it on runtime threads; the foreign side
//! drains every completed request in one call (ARCHITECTURE.md, "Measured costs").

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use cqlbridge_core::packed::{pack_page, Writer};
use cqlbridge_core::{Result, ResultSet};

use crate::error::ErrorInfo;

/// `index` of an outcome that stands for the whole request (a failed concurrent execution
/// that stopped at its first error).
pub const WHOLE_REQUEST: u32 = u32::MAX;

/// One completed request (or one item of a concurrent execution).
#[derive(Clone)]
pub(crate) struct Completed {
    id: u64,
    index: u32,
    outcome: std::result::Result<Vec<u8>, ErrorInfo>,
}

impl Completed {
    pub(crate) fn new(id: u64, index: u32, outcome: &Result<ResultSet>) -> Self {
        Completed {
            id,
            index,
            outcome: match outcome {
                Ok(page) => Ok(pack_page(page)),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// A request that failed before it started.
    pub(crate) fn failed(id: u64, error: ErrorInfo) -> Self {
        Self::bytes(id, Err(error))
    }

    /// A request whose outcome is bytes of its own format (not a page), or an error.
    pub(crate) fn bytes(id: u64, outcome: std::result::Result<Vec<u8>, ErrorInfo>) -> Self {
        Completed {
            id,
            index: 0,
            outcome,
        }
    }
}

/// What one `drain` returns: the completions packed in one buffer (bindings/PACKED.md,
/// "Completions"), and the errors they refer to.
#[derive(Debug, Clone, uniffi::Record)]
pub struct Drained {
    /// A count, then per completion: u64 id, u32 index, u8 ok; a page (`bytes`) when ok,
    /// else a u32 index into `errors`.
    pub packed: Vec<u8>,
    /// The errors of the failed completions.
    pub errors: Vec<ErrorInfo>,
}

#[derive(Default)]
struct State {
    done: Vec<Completed>,
    woken: bool,
}

/// Where submitted requests complete. Drain it from one foreign thread (or event-loop
/// reader); any number of requests may complete into it concurrently.
#[derive(Default, uniffi::Object)]
pub struct CompletionQueue {
    state: Mutex<State>,
    ready: Condvar,
}

impl CompletionQueue {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding this lock cannot leave the Vec inconsistent: keep going.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds completions, waking a waiting `drain`.
    pub(crate) fn push(&self, items: impl IntoIterator<Item = Completed>) {
        let mut s = self.lock();
        let was_empty = s.done.is_empty();
        s.done.extend(items);
        if was_empty {
            self.ready.notify_all();
        }
    }
}

#[uniffi::export]
impl CompletionQueue {
    /// An empty queue.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Returns every completion so far, waiting up to `timeout_ms` for the first one (0: do
    /// not wait) or until [`CompletionQueue::wake`]. Blocks only the calling foreign thread.
    pub fn drain(&self, timeout_ms: u32) -> Drained {
        let mut s = self.lock();
        if s.done.is_empty() && !s.woken && timeout_ms > 0 {
            s = self
                .ready
                .wait_timeout_while(s, Duration::from_millis(timeout_ms.into()), |s| {
                    s.done.is_empty() && !s.woken
                })
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        s.woken = false;
        let done = std::mem::take(&mut s.done);
        drop(s);
        pack_completions(done)
    }

    /// Makes the current (or next) `drain` return at once, even with nothing completed.
    pub fn wake(&self) {
        self.lock().woken = true;
        self.ready.notify_all();
    }
}

/// Packs completions in the format of bindings/PACKED.md, "Completions".
pub(crate) fn pack_completions(done: Vec<Completed>) -> Drained {
    let mut w = Writer::new();
    let mut errors = Vec::new();
    w.u32(done.len());
    for c in done {
        w.u64(c.id);
        w.u32(c.index as usize);
        match c.outcome {
            Ok(page) => {
                w.u8(1);
                w.bytes(&page);
            }
            Err(e) => {
                w.u8(0);
                w.u32(errors.len());
                errors.push(e);
            }
        }
    }
    Drained {
        packed: w.into_bytes(),
        errors,
    }
}
