//! The completion queue: requests complete into it on runtime threads; the foreign side
//! drains every completed request in one call (ARCHITECTURE.md, "Measured costs").

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use cqlbridge_core::packed::pack_page;
use cqlbridge_core::{Result, ResultSet};

use crate::error::ErrorInfo;

/// `Completed::index` of an outcome that stands for the whole request (a failed concurrent
/// execution that stopped at its first error).
pub const WHOLE_REQUEST: u32 = u32::MAX;

/// One completed request (or one item of a concurrent execution).
#[derive(Debug, Clone, uniffi::Record)]
pub struct Completed {
    /// The id the request was submitted with.
    pub id: u64,
    /// The item's position in a concurrent execution; 0 otherwise. `u32::MAX` for an
    /// outcome of the whole concurrent execution (its first error, when raising).
    pub index: u32,
    /// The page, packed (bindings/PACKED.md); empty on error.
    pub page: Vec<u8>,
    /// The error, if the request failed.
    pub error: Option<ErrorInfo>,
}

impl Completed {
    pub(crate) fn new(id: u64, index: u32, outcome: &Result<ResultSet>) -> Self {
        match outcome {
            Ok(page) => Completed {
                id,
                index,
                page: pack_page(page),
                error: None,
            },
            Err(e) => Completed {
                id,
                index,
                page: Vec::new(),
                error: Some(e.into()),
            },
        }
    }
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
    pub fn drain(&self, timeout_ms: u32) -> Vec<Completed> {
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
        std::mem::take(&mut s.done)
    }

    /// Makes the current (or next) `drain` return at once, even with nothing completed.
    pub fn wake(&self) {
        self.lock().woken = true;
        self.ready.notify_all();
    }
}
