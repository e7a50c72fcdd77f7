//! Batches of statements.

use std::sync::Mutex;

use cqlbridge_core::{Batch, BatchType, StatementOptions};

use crate::boundary::{fail, ffi_call, out, release, resolve, FfiResult};
use crate::config::consistency_from_c;
use crate::handle::{Kind, REGISTRY};
use crate::statement::{cqlb_statement, FfiStatement};
use crate::status::cqlb_status;

/// A batch under construction.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_batch {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

pub(crate) struct FfiBatch {
    batch: Mutex<Batch>,
}

impl FfiBatch {
    /// A copy of the batch as it is now.
    pub(crate) fn snapshot(&self) -> FfiResult<Batch> {
        Ok(self.batch.lock().unwrap_or_else(|p| p.into_inner()).clone())
    }
}

/// Creates an empty batch: `batch_type` 0 LOGGED, 1 UNLOGGED, 2 COUNTER.
#[no_mangle]
pub unsafe extern "C" fn cqlb_batch_new(
    batch_type: u32,
    out_batch: *mut cqlb_batch,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_batch, "out_batch")?;
        let kind = match batch_type {
            0 => BatchType::Logged,
            1 => BatchType::Unlogged,
            2 => BatchType::Counter,
            other => {
                return fail(
                    cqlb_status::CQLB_INVALID_ARGUMENT,
                    format!("unknown batch type {other}"),
                )
            }
        };
        slot.write(cqlb_batch {
            handle: REGISTRY.insert(
                Kind::Batch,
                FfiBatch {
                    batch: Mutex::new(Batch::new(kind)),
                },
            ),
        });
        Ok(())
    })
}

/// Adds a statement with its bound values (copied: the statement may be reused or freed).
#[no_mangle]
pub extern "C" fn cqlb_batch_add_statement(
    batch: cqlb_batch,
    statement: cqlb_statement,
) -> cqlb_status {
    ffi_call(|| {
        let b = resolve::<FfiBatch>(batch.handle, Kind::Batch)?;
        let request = resolve::<FfiStatement>(statement.handle, Kind::Statement)?.request()?;
        b.batch
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .statements
            .push((request.query, request.values));
        Ok(())
    })
}

/// Sets the batch's consistency level and write timestamp (µs; 0 for none).
#[no_mangle]
pub extern "C" fn cqlb_batch_set_options(
    batch: cqlb_batch,
    consistency_level: u16,
    timestamp_micros: i64,
) -> cqlb_status {
    ffi_call(|| {
        let b = resolve::<FfiBatch>(batch.handle, Kind::Batch)?;
        let c = consistency_from_c(consistency_level)?;
        b.batch.lock().unwrap_or_else(|p| p.into_inner()).options = StatementOptions {
            consistency: Some(c),
            timestamp: (timestamp_micros != 0).then_some(timestamp_micros),
            ..Default::default()
        };
        Ok(())
    })
}

/// Frees a batch.
#[no_mangle]
pub extern "C" fn cqlb_batch_free(batch: cqlb_batch) -> cqlb_status {
    ffi_call(|| release(batch.handle, Kind::Batch))
}
