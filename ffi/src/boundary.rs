//! The panic boundary, the per-thread last error, and argument checks shared by every export.

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe, UnwindSafe};
use std::sync::Arc;

use cqlbridge_core::Error;

use crate::handle::{Kind, REGISTRY};
use crate::status::cqlb_status;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Records `message` as this thread's last error.
pub fn set_last_error(message: &str) {
    let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    LAST_ERROR.with(|e| *e.borrow_mut() = c);
}

/// The thread's last error message: pointer and length (valid until the next failing call on
/// this thread).
pub fn last_error() -> (*const c_char, usize) {
    LAST_ERROR.with(|e| {
        let e = e.borrow();
        (e.as_ptr(), e.as_bytes().len())
    })
}

/// A failure: a status and its message.
pub struct Failure(pub cqlb_status, pub String);

/// What an export's body returns.
pub type FfiResult<T = ()> = Result<T, Failure>;

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure(e.kind().into(), e.to_string())
    }
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        Failure(e.kind().into(), e.to_string())
    }
}

/// Runs `f` behind the panic boundary: a panic becomes `fallback`.
pub fn guard<T>(fallback: T, f: impl FnOnce() -> T + UnwindSafe) -> T {
    catch_unwind(f).unwrap_or(fallback)
}

/// Runs an export's body behind the panic boundary and turns its outcome into a status,
/// recording the message of a failure (or of a panic) as the thread's last error.
pub fn ffi_call(f: impl FnOnce() -> FfiResult) -> cqlb_status {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => cqlb_status::CQLB_OK,
        Ok(Err(Failure(status, message))) => {
            set_last_error(&message);
            status
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            set_last_error(&format!(
                "internal error (panic caught at the C boundary): {what}"
            ));
            cqlb_status::CQLB_PANIC
        }
    }
}

/// A failure with `status`.
pub fn fail<T>(status: cqlb_status, message: impl Into<String>) -> FfiResult<T> {
    Err(Failure(status, message.into()))
}

/// Checks an out-parameter pointer.
///
/// # Safety
/// `ptr` is NULL or points to writable memory for a `T`.
pub unsafe fn out<'a, T>(ptr: *mut T, name: &str) -> FfiResult<&'a mut std::mem::MaybeUninit<T>> {
    if ptr.is_null() {
        return fail(cqlb_status::CQLB_NULL_ARGUMENT, format!("`{name}` is NULL"));
    }
    // SAFETY: non-null, and the caller promises it points to writable memory for a T.
    Ok(unsafe { &mut *ptr.cast::<std::mem::MaybeUninit<T>>() })
}

/// Reads a `(ptr, len)` UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that outlive the returned borrow.
pub unsafe fn str_arg<'a>(ptr: *const c_char, len: usize, name: &str) -> FfiResult<&'a str> {
    // SAFETY: passed on from the caller's promise.
    let bytes = unsafe { bytes_arg(ptr.cast(), len, name)? };
    std::str::from_utf8(bytes).map_err(|e| {
        Failure(
            cqlb_status::CQLB_INVALID_UTF8,
            format!("`{name}` is not valid UTF-8: {e}"),
        )
    })
}

/// Reads a `(ptr, len)` byte buffer argument; NULL is allowed only with length 0.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes that outlive the returned borrow.
pub unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return fail(cqlb_status::CQLB_NULL_ARGUMENT, format!("`{name}` is NULL"));
    }
    // SAFETY: the caller promises `len` readable bytes at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Resolves a handle to its object.
pub fn resolve<T: std::any::Any + Send + Sync>(handle: u64, kind: Kind) -> FfiResult<Arc<T>> {
    REGISTRY.get::<T>(handle, kind).map_err(|_| {
        Failure(
            cqlb_status::CQLB_INVALID_HANDLE,
            format!("invalid {kind:?} handle {handle:#x} (zero, freed, or of another kind)"),
        )
    })
}

/// Frees a handle's object.
pub fn release(handle: u64, kind: Kind) -> FfiResult {
    REGISTRY.remove(handle, kind).map(drop).map_err(|_| {
        Failure(
            cqlb_status::CQLB_INVALID_HANDLE,
            format!("invalid {kind:?} handle {handle:#x} (zero, freed, or of another kind)"),
        )
    })
}

/// Parses a text argument (an IP address, a decimal, ...); `CQLB_INVALID_ARGUMENT` if it is
/// not one.
pub fn parse<T: std::str::FromStr>(text: &str, what: &str) -> FfiResult<T>
where
    T::Err: std::fmt::Display,
{
    text.parse::<T>().map_err(|e| {
        Failure(
            cqlb_status::CQLB_INVALID_ARGUMENT,
            format!("{text:?} is not a valid {what}: {e}"),
        )
    })
}

/// Runs `work` on the library's runtime and waits for it (refused with
/// `CQLB_WOULD_DEADLOCK` on a library thread), turning either failure into a status.
pub fn blocking<T: Send + 'static>(
    work: impl std::future::Future<Output = cqlbridge_core::Result<T>> + Send + 'static,
) -> FfiResult<T> {
    cqlbridge_core::runtime::block_on(work)
        .map_err(Failure::from)?
        .map_err(Failure::from)
}

/// A caller's `void *userdata`, handed back only to the caller's own callbacks (on library
/// threads), as C expects.
pub struct UserData(pub *mut std::ffi::c_void);
// SAFETY: the pointer is never dereferenced here, only passed back to the caller.
unsafe impl Send for UserData {}
// SAFETY: as above.
unsafe impl Sync for UserData {}
