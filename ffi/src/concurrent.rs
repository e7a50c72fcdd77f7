//! Managed concurrency: many statements in one call, a bounded number in flight, results in
//! input order.

use std::ffi::c_char;
use std::sync::Arc;

use cqlbridge_core::{ConcurrencyOptions, Error, Query, ResultSet, Values};

use crate::boundary::{fail, ffi_call, out, release, resolve, FfiResult};
use crate::future::{cqlb_future, spawn, Output};
use crate::handle::{Kind, REGISTRY};
use crate::result::{cqlb_result, FfiRows};
use crate::session::cqlb_session;
use crate::statement::{cqlb_statement, FfiStatement};
use crate::status::cqlb_status;

/// The outcomes of a concurrent execution, one per statement, in input order.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_outcomes {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

pub(crate) struct Outcomes {
    items: Vec<cqlbridge_core::Result<Arc<ResultSet>>>,
    messages: Vec<String>,
}

impl Outcomes {
    pub(crate) fn new(items: Vec<cqlbridge_core::Result<ResultSet>>) -> Self {
        let messages = items
            .iter()
            .map(|r| r.as_ref().err().map(Error::to_string).unwrap_or_default())
            .collect();
        Outcomes {
            items: items.into_iter().map(|r| r.map(Arc::new)).collect(),
            messages,
        }
    }
}

/// Executes `count` statements with at most `concurrency` in flight (100 when 0). The future
/// yields their outcomes (`cqlb_future_outcomes`), in input order. With
/// `raise_on_first_error`, the future fails with the first error instead, and no statement
/// starts after it. The statements are copied: they may be freed after this call.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_execute_concurrent(
    session: cqlb_session,
    statements: *const cqlb_statement,
    count: usize,
    concurrency: usize,
    raise_on_first_error: bool,
    out_future: *mut cqlb_future,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_future, "out_future")?;
        if statements.is_null() && count > 0 {
            return fail(cqlb_status::CQLB_NULL_ARGUMENT, "`statements` is NULL");
        }
        let s = resolve::<cqlbridge_core::Session>(session.handle, Kind::Session)?;
        let handles = if count == 0 {
            &[][..]
        } else {
            std::slice::from_raw_parts(statements, count)
        };
        let items: Vec<(Query, Values)> = handles
            .iter()
            .map(|h| {
                let r = resolve::<FfiStatement>(h.handle, Kind::Statement)?.request()?;
                Ok((r.query, r.values))
            })
            .collect::<FfiResult<_>>()?;
        let options = ConcurrencyOptions {
            concurrency: if concurrency == 0 { 100 } else { concurrency },
            raise_on_first_error,
        };
        let handle = spawn(async move {
            let results = s.execute_concurrent(items, options).await?;
            Ok(Output::Outcomes(Arc::new(Outcomes::new(results))))
        });
        slot.write(cqlb_future { handle });
        Ok(())
    })
}

fn outcomes(o: cqlb_outcomes) -> FfiResult<Arc<Outcomes>> {
    resolve::<Outcomes>(o.handle, Kind::Outcomes)
}

/// How many outcomes there are.
#[no_mangle]
pub unsafe extern "C" fn cqlb_outcomes_count(
    o: cqlb_outcomes,
    out_count: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        out(out_count, "out_count")?.write(outcomes(o)?.items.len());
        Ok(())
    })
}

/// The status of outcome `index` (`CQLB_OK`, or its error's status).
#[no_mangle]
pub unsafe extern "C" fn cqlb_outcomes_status(
    o: cqlb_outcomes,
    index: usize,
    out_status: *mut cqlb_status,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_status, "out_status")?;
        let all = outcomes(o)?;
        let Some(item) = all.items.get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("outcome {index} is out of range"),
            );
        };
        slot.write(match item {
            Ok(_) => cqlb_status::CQLB_OK,
            Err(e) => e.kind().into(),
        });
        Ok(())
    })
}

/// The error message of outcome `index` (empty when it succeeded), borrowed while the
/// outcomes live.
#[no_mangle]
pub unsafe extern "C" fn cqlb_outcomes_error_message(
    o: cqlb_outcomes,
    index: usize,
    out_message: *mut *const c_char,
    out_len: *mut usize,
) -> cqlb_status {
    ffi_call(|| {
        let (m, l) = (out(out_message, "out_message")?, out(out_len, "out_len")?);
        let all = outcomes(o)?;
        let Some(msg) = all.messages.get(index) else {
            return fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("outcome {index} is out of range"),
            );
        };
        m.write(msg.as_ptr().cast());
        l.write(msg.len());
        Ok(())
    })
}

/// The result of outcome `index` as a new handle (free it with `cqlb_result_free`); its
/// error's status when it failed.
#[no_mangle]
pub unsafe extern "C" fn cqlb_outcomes_result(
    o: cqlb_outcomes,
    index: usize,
    out_result: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_result, "out_result")?;
        let all = outcomes(o)?;
        match all.items.get(index) {
            None => fail(
                cqlb_status::CQLB_INVALID_ARGUMENT,
                format!("outcome {index} is out of range"),
            ),
            Some(Err(e)) => Err(e.into()),
            Some(Ok(rs)) => {
                slot.write(cqlb_result {
                    handle: REGISTRY.insert(Kind::Result, FfiRows::new(rs.clone())),
                });
                Ok(())
            }
        }
    })
}

/// Frees outcomes.
#[no_mangle]
pub extern "C" fn cqlb_outcomes_free(o: cqlb_outcomes) -> cqlb_status {
    ffi_call(|| release(o.handle, Kind::Outcomes))
}
