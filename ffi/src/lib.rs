//! cqlbridge's C ABI over cqlbridge-core. The conventions every function obeys are in
//! `ffi/README.md`: prefix `cqlb_`; one status enum with fixed numbers; out-params written
//! only on success; typed handles resolved through a generation-checked registry; UTF-8
//! checked `(ptr, len)` strings; a panic boundary on every export.
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)] // Safety is stated once, in ffi/README.md.

pub mod batch;
pub mod boundary;
pub mod concurrent;
pub mod config;
pub mod convert;
pub mod element;
pub mod future;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzz_checks;
pub mod handle;
pub mod mapper;
pub mod observe;
pub mod prepared;
pub mod result;
pub mod session;
pub mod statement;
pub mod status;
pub mod value;

use std::ffi::c_char;

use boundary::{ffi_call, out};
use status::cqlb_status;

/// The message of the last failure of a call on this thread, borrowed until the next failing
/// call on this thread (UTF-8, also NUL-terminated). Empty when no call failed yet.
#[no_mangle]
pub unsafe extern "C" fn cqlb_last_error_message(
    out_message: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    // Not through ffi_call: reading the last error must not replace it.
    boundary::guard(cqlb_status::CQLB_PANIC, || {
        if out_message.is_null() || out_len.is_null() {
            return cqlb_status::CQLB_NULL_ARGUMENT;
        }
        let (ptr, len) = boundary::last_error();
        // SAFETY: both pointers were checked non-null; the caller provides writable storage.
        unsafe {
            out_message.write(ptr);
            out_len.write(len);
        }
        cqlb_status::CQLB_OK
    })
}

/// Live handles of every kind: a leak check for tests.
#[no_mangle]
pub unsafe extern "C" fn cqlb_live_handle_count(out_count: *mut usize) -> cqlb_status {
    ffi_call(|| {
        out(out_count, "out_count")?.write(handle::REGISTRY.len());
        Ok(())
    })
}
