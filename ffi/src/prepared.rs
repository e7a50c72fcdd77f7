//! Prepared statements.

use std::ffi::c_char;

use cqlbridge_core::Prepared;

use crate::boundary::{fail, ffi_call, out, release, resolve};
use crate::handle::Kind;
use crate::status::cqlb_status;

/// A prepared statement: its markers and their types are known. Bind values to a statement
/// made from it with `cqlb_prepared_bind`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_prepared {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

/// Frees a prepared statement. Statements bound from it keep working.
#[no_mangle]
pub extern "C" fn cqlb_prepared_free(prepared: cqlb_prepared) -> cqlb_status {
    ffi_call(|| release(prepared.handle, Kind::Prepared))
}

/// The number of bind markers.
#[no_mangle]
pub unsafe extern "C" fn cqlb_prepared_param_count(
    prepared: cqlb_prepared,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_count, "out_count")?;
        slot.write(
            resolve::<Prepared>(prepared.handle, Kind::Prepared)?
                .params()
                .len(),
        );
        Ok(())
    })
}

/// The name of bind marker `index`, borrowed while the prepared statement lives.
#[no_mangle]
pub unsafe extern "C" fn cqlb_prepared_param_name(
    prepared: cqlb_prepared,
    index: usize,
    out_name: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let name_slot = out(out_name, "out_name")?;
        let len_slot = out(out_len, "out_len")?;
        let p = resolve::<Prepared>(prepared.handle, Kind::Prepared)?;
        let Some(param) = p.params().get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!(
                    "marker index {index} is out of range ({} markers)",
                    p.params().len()
                ),
            );
        };
        // The name lives in the prepared statement, which the registry keeps alive while the
        // handle lives.
        name_slot.write(param.name.as_ptr().cast());
        len_slot.write(param.name.len());
        Ok(())
    })
}
