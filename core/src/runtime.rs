//! The one tokio runtime core owns. Front ends never rely on an ambient runtime: all driver
//! work they start is spawned here.
//!
//! The runtime is built lazily on first use, with [`set_worker_threads`] workers (default 2),
//! once per process: after `fork()`, the child has none of the parent's runtime threads, so
//! its first use builds a runtime of its own (connecting after fork, as pre-forking servers
//! do, works). What the parent created cannot be used in the child: a [`Session`] from the
//! parent answers [`Error::ForkedProcess`] there instead of hanging.
//!
//! No lock guards the runtime (a lock held by a parent thread at fork time would stay held
//! in the child forever): the current runtime is an atomic pointer, swapped in by the first
//! caller of each process.
//!
//! [`Session`]: crate::Session

use std::future::Future;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// Default number of runtime worker threads.
pub const DEFAULT_WORKER_THREADS: usize = 2;

static WORKER_THREADS: AtomicUsize = AtomicUsize::new(DEFAULT_WORKER_THREADS);

/// A process's runtime, with the process it belongs to. Never freed: a runtime is dropped
/// only with its process (and a forked child inherits its parent's as dead memory).
struct ProcessRuntime {
    runtime: Runtime,
    pid: u32,
}

static CURRENT: AtomicPtr<ProcessRuntime> = AtomicPtr::new(std::ptr::null_mut());

fn current() -> Option<&'static ProcessRuntime> {
    // SAFETY: CURRENT only ever holds null or a leaked, never-freed ProcessRuntime.
    let rt = unsafe { CURRENT.load(Ordering::Acquire).as_ref() }?;
    (rt.pid == std::process::id()).then_some(rt)
}

/// Sets the worker count of the runtime. Effective only before the runtime of this process is
/// first used; returns whether it took effect.
pub fn set_worker_threads(threads: usize) -> bool {
    WORKER_THREADS.store(threads.max(1), Ordering::SeqCst);
    current().is_none()
}

/// The worker count the runtime has (or will have when built).
pub fn worker_threads() -> usize {
    WORKER_THREADS.load(Ordering::SeqCst)
}

/// A handle to this process's runtime, built on first use.
pub fn handle() -> Result<Handle> {
    if let Some(rt) = current() {
        return Ok(rt.runtime.handle().clone());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(worker_threads())
        .thread_name("cqlbridge-rt")
        .on_thread_start(|| {
            // Route driver logs to the host's logger on these threads only (never global).
            std::mem::forget(tracing::dispatcher::set_default(crate::logging::dispatch()));
        })
        .enable_all()
        .build()
        .map_err(|e| Error::Driver(format!("cannot start the runtime: {e}")))?;
    let mine = Box::into_raw(Box::new(ProcessRuntime {
        runtime,
        pid: std::process::id(),
    }));
    let seen = CURRENT.load(Ordering::Acquire);
    // SAFETY: `seen` is null or a leaked ProcessRuntime (see `current`).
    let seen_is_ours = unsafe { seen.as_ref() }.is_some_and(|rt| rt.pid == std::process::id());
    if !seen_is_ours
        && CURRENT
            .compare_exchange(seen, mine, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    {
        // SAFETY: just installed; never freed.
        return Ok(unsafe { &*mine }.runtime.handle().clone());
    }
    // Another thread of this process installed its runtime first: use that one.
    // SAFETY: `mine` was never shared.
    unsafe { Box::from_raw(mine) }.runtime.shutdown_background();
    current()
        .map(|rt| rt.runtime.handle().clone())
        .ok_or_else(|| Error::Driver("the runtime could not be installed".into()))
}

/// Spawns `future` on core's runtime.
pub fn spawn<F>(future: F) -> Result<JoinHandle<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handle = handle()?;
    // A request's future is kilobytes large: boxed, the task holds a pointer instead of
    // copying the whole state in and out of its cell (bench/COSTS.md: ~10% of a request's CPU).
    Ok(if std::mem::size_of::<F>() > BOX_FUTURES_OVER {
        handle.spawn(Box::pin(future))
    } else {
        handle.spawn(future)
    })
}

/// The size (bytes) above which [`spawn`] boxes a future.
const BOX_FUTURES_OVER: usize = 256;

/// Runs `future` to completion on core's runtime, blocking the calling thread. Refused with
/// [`Error::WouldDeadlock`] on a runtime thread (a callback, an async task), where blocking
/// could starve the very work being waited for.
pub fn block_on<F>(future: F) -> Result<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    if Handle::try_current().is_ok() {
        return Err(Error::WouldDeadlock);
    }
    let join = spawn(future)?;
    handle()?
        .block_on(join)
        .map_err(|e| Error::Driver(format!("the task failed: {e}")))
}

/// Whether the calling thread belongs to a tokio runtime (where blocking is refused).
pub fn on_runtime_thread() -> bool {
    Handle::try_current().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spawns_and_blocks_on_the_owned_runtime() {
        assert_eq!(block_on(async { 40 + 2 }).unwrap(), 42);
        let name = block_on(async { std::thread::current().name().map(str::to_owned) }).unwrap();
        assert_eq!(name.as_deref(), Some("cqlbridge-rt"));
    }

    #[test]
    fn after_fork_the_child_builds_a_runtime_of_its_own() {
        assert_eq!(
            block_on(async { 1 }).unwrap(),
            1,
            "the parent's runtime is built"
        );
        // SAFETY: the child builds a runtime, runs one task on it and exits.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let code = match block_on(async { std::process::id() }) {
                Ok(p) if p == std::process::id() => 0,
                _ => 1,
            };
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
        assert!(
            libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
            "child status {status}"
        );
        assert_eq!(
            block_on(async { 2 }).unwrap(),
            2,
            "the parent is unaffected"
        );
    }

    #[test]
    fn blocking_on_a_runtime_thread_is_refused() {
        let inner = block_on(async { block_on(async { 1 }) }).unwrap();
        assert_eq!(inner, Err(Error::WouldDeadlock));
    }
}
