//! Exactly-once completion of spawned work: the one primitive behind every future that a
//! front end hands out (C futures, Python `ResponseFuture`, uniffi callback futures).
//!
//! The outcome is stored once, under a lock that also decides whether callbacks are
//! registered; callbacks then run outside the lock. A callback registered after completion
//! runs at once, on the registering thread; one registered before runs on the thread that
//! completes (a runtime thread for spawned work). Getters never block once complete.
//! Waiting returns once the outcome is there *and* the callbacks registered before it have
//! returned, so a caller may release what its callbacks use right after waiting. Waiting on
//! a runtime thread (from a callback, say) for an outcome that is not there is refused with
//! [`Error::WouldDeadlock`]; a callback waiting on its own (or another complete) future gets
//! the outcome at once.

use std::future::Future;
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tokio::task::AbortHandle;

use crate::error::{Error, Result};
use crate::runtime;

type Callback<T> = Box<dyn FnOnce(&Completion<T>) + Send + 'static>;

struct Inner<T> {
    outcome: OnceLock<T>,
    state: Mutex<State<T>>,
    settled: Condvar,
    abort: Mutex<Option<AbortHandle>>,
}

struct State<T> {
    callbacks: Vec<Callback<T>>,
    /// The outcome is there and the callbacks registered before it have returned.
    settled: bool,
}

/// A value that arrives once; cheap to clone (clones share the outcome).
pub struct Completion<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Completion<T> {
    fn clone(&self) -> Self {
        Completion {
            inner: self.inner.clone(),
        }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Completion<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Completion")
            .field("outcome", &self.inner.outcome.get())
            .finish()
    }
}

impl<T: Send + Sync + 'static> Default for Completion<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Send + Sync + 'static> Completion<T> {
    /// A pending completion.
    pub fn new() -> Self {
        Completion {
            inner: Arc::new(Inner {
                outcome: OnceLock::new(),
                state: Mutex::new(State {
                    callbacks: Vec::new(),
                    settled: false,
                }),
                settled: Condvar::new(),
                abort: Mutex::new(None),
            }),
        }
    }

    /// Stores the outcome and runs the registered callbacks, once. Returns `false` (and drops
    /// `value`) when the completion already had an outcome.
    pub fn complete(&self, value: T) -> bool {
        let callbacks = {
            let mut state = lock(&self.inner.state);
            if self.inner.outcome.set(value).is_err() {
                return false;
            }
            std::mem::take(&mut state.callbacks)
        };
        for callback in callbacks {
            callback(self);
        }
        lock(&self.inner.state).settled = true;
        self.inner.settled.notify_all();
        true
    }

    /// Registers `callback` to run once with the completed value: now, on this thread, when
    /// already complete; otherwise on the completing thread.
    pub fn on_complete(&self, callback: impl FnOnce(&Completion<T>) + Send + 'static) {
        {
            let mut state = lock(&self.inner.state);
            if self.inner.outcome.get().is_none() {
                state.callbacks.push(Box::new(callback));
                return;
            }
        }
        callback(self);
    }

    /// The outcome, if complete. Never blocks.
    pub fn try_get(&self) -> Option<&T> {
        self.inner.outcome.get()
    }

    /// Whether the outcome is there.
    pub fn is_ready(&self) -> bool {
        self.inner.outcome.get().is_some()
    }

    /// Blocks until complete. Refused with [`Error::WouldDeadlock`] on a runtime thread while
    /// still pending.
    pub fn wait(&self) -> Result<&T> {
        self.wait_until(None)?
            .ok_or(Error::Driver("no outcome".into()))
    }

    /// Blocks until complete or until `timeout` passes (then `Ok(None)`).
    pub fn wait_timeout(&self, timeout: Duration) -> Result<Option<&T>> {
        self.wait_until(Some(Instant::now() + timeout))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Result<Option<&T>> {
        if runtime::on_runtime_thread() {
            // Never block a runtime thread: an outcome that is there is returned at once
            // (a callback reading its own future), one that is not would deadlock.
            return self
                .inner
                .outcome
                .get()
                .map(Some)
                .ok_or(Error::WouldDeadlock);
        }
        let mut guard = lock(&self.inner.state);
        while !guard.settled {
            guard = match deadline {
                None => self
                    .inner
                    .settled
                    .wait(guard)
                    .unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(None);
                    }
                    self.inner
                        .settled
                        .wait_timeout(guard, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
        Ok(self.inner.outcome.get())
    }

    /// Completes asynchronously: resolves when the outcome is there.
    pub async fn completed(&self) -> &T {
        if let Some(v) = self.inner.outcome.get() {
            return v;
        }
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.on_complete(move |_| {
            let _ = tx.send(());
        });
        let _ = rx.await;
        self.inner.outcome.get().expect("completed")
    }
}

impl<R: Send + Sync + 'static> Completion<Result<R>> {
    /// Spawns `work` on core's runtime; its output completes the returned completion. Fails
    /// at once (completed with the error) when the runtime cannot be used, e.g. after fork.
    pub fn spawn<F>(work: F) -> Self
    where
        F: Future<Output = Result<R>> + Send + 'static,
    {
        let completion = Self::new();
        let done = completion.clone();
        match runtime::spawn(async move {
            done.complete(work.await);
        }) {
            Ok(join) => *lock(&completion.inner.abort) = Some(join.abort_handle()),
            Err(e) => {
                completion.complete(Err(e));
            }
        }
        completion
    }

    /// Cancels the spawned work if it is still running; the completion then holds
    /// [`Error::Cancelled`]. Returns whether this call completed it.
    pub fn cancel(&self) -> bool {
        if let Some(abort) = lock(&self.inner.abort).take() {
            abort.abort();
        }
        self.complete(Err(Error::Cancelled))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn a_callback_registered_before_completion_fires_once_on_the_completing_thread() {
        let c = Completion::<u32>::new();
        let fired = Arc::new(AtomicUsize::new(0));
        let f = fired.clone();
        c.on_complete(move |c| {
            assert_eq!(c.try_get(), Some(&7));
            f.fetch_add(1, Ordering::SeqCst);
        });
        assert!(c.complete(7));
        assert!(!c.complete(8), "a second outcome is refused");
        assert_eq!(fired.load(Ordering::SeqCst), 1);
        assert_eq!(c.try_get(), Some(&7));
    }

    #[test]
    fn a_callback_registered_after_completion_fires_at_once_on_the_caller() {
        let c = Completion::<u32>::new();
        c.complete(1);
        let me = std::thread::current().id();
        let fired = Arc::new(AtomicUsize::new(0));
        let f = fired.clone();
        c.on_complete(move |_| {
            assert_eq!(std::thread::current().id(), me);
            f.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(fired.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn racing_registration_and_completion_fire_each_callback_exactly_once() {
        const N: usize = 100_000;
        let fired = Arc::new(AtomicUsize::new(0));
        let completions: Vec<_> = (0..N).map(|_| Completion::<Result<usize>>::new()).collect();
        let completer = {
            let cs = completions.clone();
            std::thread::spawn(move || {
                for (i, c) in cs.iter().enumerate() {
                    c.complete(Ok(i));
                }
            })
        };
        for c in &completions {
            let f = fired.clone();
            c.on_complete(move |c| {
                assert!(c.is_ready());
                f.fetch_add(1, Ordering::SeqCst);
            });
        }
        completer.join().unwrap();
        assert_eq!(fired.load(Ordering::SeqCst), N);
    }

    #[test]
    fn spawned_work_completes_and_waiting_in_a_callback_would_deadlock() {
        let gate = Arc::new(tokio::sync::Notify::new());
        let g = gate.clone();
        let c = Completion::spawn(async move {
            g.notified().await;
            Ok(5)
        });
        let seen = Arc::new(Mutex::new(None));
        let s = seen.clone();
        let inner = Completion::<Result<u8>>::new();
        let inner2 = inner.clone();
        c.on_complete(move |_| {
            // On a runtime thread: waiting on a pending completion is refused.
            *s.lock().unwrap() = Some(inner2.wait().map(|_| ()).unwrap_err());
        });
        assert_eq!(c.wait_timeout(Duration::from_millis(20)).unwrap(), None);
        gate.notify_one();
        assert_eq!(c.wait().unwrap(), &Ok(5));
        // The callback ran on the completing runtime thread before wait returned or soon after.
        let deadline = Instant::now() + Duration::from_secs(5);
        while seen.lock().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(seen.lock().unwrap().clone(), Some(Error::WouldDeadlock));
        drop(inner);
    }

    #[test]
    fn waiting_returns_after_the_callbacks_registered_before_completion() {
        let c = Completion::<u32>::new();
        let done = Arc::new(AtomicUsize::new(0));
        let d = done.clone();
        c.on_complete(move |_| {
            std::thread::sleep(Duration::from_millis(50));
            d.store(1, Ordering::SeqCst);
        });
        let completer = {
            let c = c.clone();
            std::thread::spawn(move || c.complete(3))
        };
        // Wait until the outcome is visible, then wait: it must not return before the callback.
        while c.try_get().is_none() {
            std::thread::yield_now();
        }
        assert_eq!(c.wait().unwrap(), &3);
        assert_eq!(done.load(Ordering::SeqCst), 1, "the callback had returned");
        completer.join().unwrap();
    }

    #[test]
    fn cancelling_aborts_the_work_and_completes_with_cancelled() {
        let c = Completion::<Result<()>>::spawn(async {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            Ok(())
        });
        assert!(c.cancel());
        assert_eq!(c.wait().unwrap(), &Err(Error::Cancelled));
        assert!(!c.cancel());
    }
}
