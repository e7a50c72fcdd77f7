//! Futures: asynchronous work whose outcome arrives once. Built on core's completion
//! primitive: a callback fires exactly once, on a runtime thread (or at once on the caller's
//! thread when the future is already complete); waiting inside a callback returns
//! `CQLB_WOULD_DEADLOCK`.

use std::ffi::{c_char, c_void};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use cqlbridge_core::{Completion, Error, Prepared, ResultSet, Session};

use crate::boundary::{fail, ffi_call, out, release, resolve, Failure, FfiResult, UserData};
use crate::handle::{Kind, REGISTRY};
use crate::prepared::cqlb_prepared;
use crate::result::cqlb_result;
use crate::session::cqlb_session;
use crate::status::cqlb_status;

/// A future.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_future {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

/// Called once when a future completes, with the future and the `userdata` given at
/// registration. It runs on a library thread and must not block (waiting on a future there
/// returns `CQLB_WOULD_DEADLOCK`).
pub type cqlb_future_callback =
    Option<unsafe extern "C" fn(future: cqlb_future, userdata: *mut c_void)>;

/// What a future yields.
pub(crate) enum Output {
    Session(Arc<Session>),
    Result(Arc<ResultSet>),
    Prepared(Arc<Prepared>),
    Outcomes(Arc<crate::concurrent::Outcomes>),
}

pub(crate) struct FfiFuture {
    completion: Completion<cqlbridge_core::Result<Output>>,
    message: OnceLock<String>,
    release: Mutex<Release>,
}

/// When the handle leaves the registry: on `cqlb_future_free`, or, when callbacks are still
/// to run then, once the last of them has returned (so each callback gets a live handle).
#[derive(Default)]
struct Release {
    pending_callbacks: usize,
    freed: bool,
}

/// Starts `work` on the library's runtime and registers its future.
pub(crate) fn spawn<F>(work: F) -> u64
where
    F: std::future::Future<Output = cqlbridge_core::Result<Output>> + Send + 'static,
{
    REGISTRY.insert(
        Kind::Future,
        FfiFuture {
            completion: Completion::spawn(work),
            message: OnceLock::new(),
            release: Mutex::new(Release::default()),
        },
    )
}

fn future(f: cqlb_future) -> FfiResult<Arc<FfiFuture>> {
    resolve::<FfiFuture>(f.handle, Kind::Future)
}

/// The outcome of a complete future, as a status (recording an error's message).
fn outcome(f: &FfiFuture) -> FfiResult<&Output> {
    match f.completion.try_get() {
        None => fail(cqlb_status::CQLB_PENDING, "the future is not complete"),
        Some(Ok(v)) => Ok(v),
        Some(Err(e)) => Err(Failure::from(e)),
    }
}

/// Registers `callback` to run once when `future` completes (at once, on this thread, when
/// it already has). Several callbacks may be registered; each fires once.
#[no_mangle]
pub extern "C" fn cqlb_future_set_callback(
    future_handle: cqlb_future,
    callback: cqlb_future_callback,
    userdata: *mut c_void,
) -> cqlb_status {
    ffi_call(|| {
        let Some(cb) = callback else {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`callback` is NULL");
        };
        let f = future(future_handle)?;
        {
            let mut release = f.release.lock().unwrap_or_else(|p| p.into_inner());
            if release.freed {
                return fail(cqlb_status::CQLB_INVALID_HANDLE, "the future was freed");
            }
            release.pending_callbacks += 1;
        }
        let data = UserData(userdata);
        let owner = f.clone();
        f.completion.on_complete(move |_| {
            let data = data;
            // SAFETY: a C function pointer given by the caller, called with its own userdata.
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| unsafe {
                cb(future_handle, data.0)
            }));
            let mut release = owner.release.lock().unwrap_or_else(|p| p.into_inner());
            release.pending_callbacks -= 1;
            if release.pending_callbacks == 0 && release.freed {
                let _ = REGISTRY.remove(future_handle.handle, Kind::Future);
            }
        });
        Ok(())
    })
}

/// Blocks until `future` completes and the callbacks registered before that have returned
/// (so what they use may be freed after this call); returns the outcome's status. On a
/// library thread (in a callback), returns at once with the status when complete, and
/// `CQLB_WOULD_DEADLOCK` when not.
#[no_mangle]
pub extern "C" fn cqlb_future_wait(future_handle: cqlb_future) -> cqlb_status {
    ffi_call(|| {
        let f = future(future_handle)?;
        f.completion.wait().map_err(|e| Failure::from(&e))?;
        outcome(&f).map(drop)
    })
}

/// Waits at most `timeout_us` microseconds; `*out_ready` says whether it completed. Returns
/// `CQLB_OK` when the wait itself worked (the outcome is read with `cqlb_future_status`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_wait_timed(
    future_handle: cqlb_future,
    timeout_us: u64,
    out_ready: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_ready, "out_ready")?;
        let f = future(future_handle)?;
        let done = f
            .completion
            .wait_timeout(Duration::from_micros(timeout_us))
            .map_err(|e| Failure::from(&e))?;
        slot.write(done.is_some());
        Ok(())
    })
}

/// Whether `future` has its outcome. Never blocks.
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_ready(
    future_handle: cqlb_future,
    out_ready: *mut bool,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_ready, "out_ready")?;
        slot.write(future(future_handle)?.completion.is_ready());
        Ok(())
    })
}

/// The status of the future's outcome: `CQLB_OK`, the error's status, or `CQLB_PENDING`.
/// Never blocks.
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_status(
    future_handle: cqlb_future,
    out_status: *mut cqlb_status,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_status, "out_status")?;
        let f = future(future_handle)?;
        slot.write(match outcome(&f) {
            Ok(_) => cqlb_status::CQLB_OK,
            Err(Failure(status, _)) => status,
        });
        Ok(())
    })
}

/// The message of the future's error (empty when it succeeded), borrowed while the future
/// handle lives. `CQLB_PENDING` while not complete.
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_error_message(
    future_handle: cqlb_future,
    out_message: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let msg_slot = out(out_message, "out_message")?;
        let len_slot = out(out_len, "out_len")?;
        let f = future(future_handle)?;
        let message = match f.completion.try_get() {
            None => return fail(cqlb_status::CQLB_PENDING, "the future is not complete"),
            Some(Ok(_)) => "",
            Some(Err(e)) => f.message.get_or_init(|| e.to_string()).as_str(),
        };
        msg_slot.write(message.as_ptr().cast());
        len_slot.write(message.len());
        Ok(())
    })
}

/// The server's details of the future's error: its protocol error code (0 when the error did
/// not come from the server) and, where the error has them, the consistency level, the
/// replicas required and received (or alive, for Unavailable).
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct cqlb_server_error {
    /// The protocol's error code (e.g. 0x2200 Invalid, 0x1100 WriteTimeout); 0 if none.
    pub code: i32,
    /// The consistency level (a `CQLB_CONSISTENCY_*` value), or 0xFFFF.
    pub consistency: u16,
    /// Replicas required, or -1.
    pub required: i32,
    /// Replicas that answered (alive, for Unavailable), or -1.
    pub received: i32,
    /// Whether data was present (read timeouts and failures).
    pub data_present: bool,
}

/// Fills `*out_details` from the future's error.
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_server_error(
    future_handle: cqlb_future,
    out_details: *mut cqlb_server_error,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_details, "out_details")?;
        let f = future(future_handle)?;
        let mut d = cqlb_server_error {
            code: 0,
            consistency: 0xFFFF,
            required: -1,
            received: -1,
            data_present: false,
        };
        match f.completion.try_get() {
            None => return fail(cqlb_status::CQLB_PENDING, "the future is not complete"),
            Some(Err(Error::Server(s))) => {
                let details = s.kind.details();
                d.code = details.code;
                d.consistency = details.consistency.map_or(0xFFFF, |c| c as u16);
                d.required = details.required.unwrap_or(-1);
                d.received = details.received.unwrap_or(-1);
                d.data_present = details.data_present.unwrap_or(false);
            }
            Some(_) => {}
        }
        slot.write(d);
        Ok(())
    })
}

/// Writes to `slot` the new handle that `take` makes from the completed future's output, or
/// says that this future yields something else (`what`).
fn yield_output<H>(
    future_handle: cqlb_future,
    slot: &mut std::mem::MaybeUninit<H>,
    what: &str,
    take: impl FnOnce(&Output) -> Option<H>,
) -> FfiResult {
    let f = future(future_handle)?;
    match take(outcome(&f)?) {
        Some(handle) => {
            slot.write(handle);
            Ok(())
        }
        None => fail(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            format!("this future does not yield {what}"),
        ),
    }
}

/// The result page of a completed execution, as a new handle (free it with
/// `cqlb_result_free`). The future's error status when it failed.
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_result(
    future_handle: cqlb_future,
    out_result: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_result, "out_result")?;
        yield_output(future_handle, slot, "a result", |o| match o {
            Output::Result(r) => Some(cqlb_result {
                handle: REGISTRY.insert(Kind::Result, crate::result::FfiRows::new(r.clone())),
            }),
            _ => None,
        })
    })
}

/// The session of a completed `cqlb_session_connect`, as a new handle (free it with
/// `cqlb_session_free`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_session(
    future_handle: cqlb_future,
    out_session: *mut cqlb_session,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_session, "out_session")?;
        yield_output(future_handle, slot, "a session", |o| match o {
            Output::Session(x) => Some(cqlb_session {
                handle: REGISTRY.insert_arc(Kind::Session, x.clone()),
            }),
            _ => None,
        })
    })
}

/// The prepared statement of a completed `cqlb_session_prepare_async`, as a new handle (free
/// it with `cqlb_prepared_free`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_prepared(
    future_handle: cqlb_future,
    out_prepared: *mut cqlb_prepared,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_prepared, "out_prepared")?;
        yield_output(future_handle, slot, "a prepared statement", |o| match o {
            Output::Prepared(p) => Some(cqlb_prepared {
                handle: REGISTRY.insert_arc(Kind::Prepared, p.clone()),
            }),
            _ => None,
        })
    })
}

/// The outcomes of a completed `cqlb_session_execute_concurrent`, as a new handle (free it
/// with `cqlb_outcomes_free`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_future_outcomes(
    future_handle: cqlb_future,
    out_outcomes: *mut crate::concurrent::cqlb_outcomes,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_outcomes, "out_outcomes")?;
        yield_output(future_handle, slot, "outcomes", |o| match o {
            Output::Outcomes(o) => Some(crate::concurrent::cqlb_outcomes {
                handle: REGISTRY.insert_arc(Kind::Outcomes, o.clone()),
            }),
            _ => None,
        })
    })
}

/// Frees a future. The work goes on. Callbacks registered on it still fire once, each with
/// a live handle: the handle is released when the last of them has returned.
#[no_mangle]
pub extern "C" fn cqlb_future_free(future_handle: cqlb_future) -> cqlb_status {
    ffi_call(|| {
        let f = future(future_handle)?;
        let mut release_state = f.release.lock().unwrap_or_else(|p| p.into_inner());
        if release_state.freed {
            return fail(
                cqlb_status::CQLB_INVALID_HANDLE,
                "the future was already freed",
            );
        }
        release_state.freed = true;
        if release_state.pending_callbacks == 0 {
            release(future_handle.handle, Kind::Future)?;
        }
        Ok(())
    })
}
