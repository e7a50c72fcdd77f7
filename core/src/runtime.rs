//! The one tokio runtime core owns. Front ends never rely on an ambient runtime: all driver
//! work they start is spawned here.
//!
//! The runtime is built lazily on first use, with [`set_worker_threads`] workers (default 2).
//! After `fork()`, the child has no runtime threads; the first call that needs the runtime in
//! a process whose PID differs from the builder's returns [`Error::ForkedProcess`] instead of
//! hanging.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

use crate::error::{Error, Result};

/// Default number of runtime worker threads.
pub const DEFAULT_WORKER_THREADS: usize = 2;

static WORKER_THREADS: AtomicUsize = AtomicUsize::new(DEFAULT_WORKER_THREADS);
static RUNTIME: OnceLock<std::result::Result<(Runtime, u32), String>> = OnceLock::new();

/// Sets the worker count of the runtime. Effective only before the runtime is first used;
/// returns whether it took effect.
pub fn set_worker_threads(threads: usize) -> bool {
    WORKER_THREADS.store(threads.max(1), Ordering::SeqCst);
    RUNTIME.get().is_none()
}

/// The worker count the runtime has (or will have when built).
pub fn worker_threads() -> usize {
    WORKER_THREADS.load(Ordering::SeqCst)
}

/// A handle to core's runtime, built on first use.
pub fn handle() -> Result<Handle> {
    let built = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(worker_threads())
            .thread_name("cqlbridge-rt")
            .on_thread_start(|| {
                // Route driver logs to the host's logger on these threads only (never global).
                std::mem::forget(tracing::dispatcher::set_default(crate::logging::dispatch()));
            })
            .enable_all()
            .build()
            .map(|rt| (rt, std::process::id()))
            .map_err(|e| e.to_string())
    });
    match built {
        Ok((rt, pid)) if *pid == std::process::id() => Ok(rt.handle().clone()),
        Ok((_, pid)) => Err(Error::ForkedProcess { parent: *pid }),
        Err(e) => Err(Error::Driver(format!("cannot start the runtime: {e}"))),
    }
}

/// Spawns `future` on core's runtime.
pub fn spawn<F>(future: F) -> Result<JoinHandle<F::Output>>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    Ok(handle()?.spawn(future))
}

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
    fn after_fork_the_child_gets_a_clear_error_instead_of_a_hang() {
        assert_eq!(
            block_on(async { 1 }).unwrap(),
            1,
            "the parent's runtime is built"
        );
        let parent = std::process::id();
        // SAFETY: the child only reads the runtime's cell, compares PIDs and exits.
        let pid = unsafe { libc::fork() };
        assert!(pid >= 0, "fork failed");
        if pid == 0 {
            let code = match handle() {
                Err(Error::ForkedProcess { parent: p }) if p == parent => 0,
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
        assert!(handle().is_ok(), "the parent is unaffected");
    }

    #[test]
    fn blocking_on_a_runtime_thread_is_refused() {
        let inner = block_on(async { block_on(async { 1 }) }).unwrap();
        assert_eq!(inner, Err(Error::WouldDeadlock));
    }
}
