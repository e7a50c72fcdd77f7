//! Sessions: connect (a future), execute (blocking or as a future), prepare, batches, close.

use std::ffi::c_char;
use std::sync::Arc;

use cqlbridge_core::Session;

use crate::batch::{cqlb_batch, FfiBatch};
use crate::boundary::{blocking, ffi_call, out, release, resolve, str_arg, FfiResult};
use crate::config::{build, cqlb_cluster_config};
use crate::future::{cqlb_future, spawn, Output};
use crate::handle::{Kind, REGISTRY};
use crate::prepared::cqlb_prepared;
use crate::result::cqlb_result;
use crate::statement::{cqlb_statement, FfiStatement};
use crate::status::cqlb_status;

/// A connected session: thread-safe, shared by any number of threads.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cqlb_session {
    /// The handle; 0 is never valid.
    pub handle: u64,
}

fn session(s: cqlb_session) -> FfiResult<Arc<Session>> {
    resolve::<Session>(s.handle, Kind::Session)
}

/// Starts connecting with `config`; the future yields the session (`cqlb_future_session`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_connect(
    config: cqlb_cluster_config,
    out_future: *mut cqlb_future,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_future, "out_future")?;
        let config = build(config)?;
        let handle = spawn(async move {
            Session::connect(&config)
                .await
                .map(|s| Output::Session(Arc::new(s)))
        });
        slot.write(cqlb_future { handle });
        Ok(())
    })
}

/// Closes the session handle. Requests in flight complete; the connections close once the
/// last of them is done.
#[no_mangle]
pub extern "C" fn cqlb_session_free(session_handle: cqlb_session) -> cqlb_status {
    ffi_call(|| release(session_handle.handle, Kind::Session))
}

/// Executes a statement and waits for its first page (`*out_result`, free it with
/// `cqlb_result_free`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_execute(
    session_handle: cqlb_session,
    statement: cqlb_statement,
    out_result: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_result, "out_result")?;
        let s = session(session_handle)?;
        let st = resolve::<FfiStatement>(statement.handle, Kind::Statement)?;
        let request = st.request()?;
        let rs = blocking(async move { request.run(&s).await })?;
        slot.write(cqlb_result {
            handle: REGISTRY.insert(Kind::Result, crate::result::FfiRows::new(Arc::new(rs))),
        });
        Ok(())
    })
}

/// Starts executing a statement; the future yields its first page (`cqlb_future_result`).
/// The statement may be changed or freed right after this call.
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_execute_async(
    session_handle: cqlb_session,
    statement: cqlb_statement,
    out_future: *mut cqlb_future,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_future, "out_future")?;
        let s = session(session_handle)?;
        let st = resolve::<FfiStatement>(statement.handle, Kind::Statement)?;
        let request = st.request()?;
        let handle =
            spawn(async move { request.run(&s).await.map(|rs| Output::Result(Arc::new(rs))) });
        slot.write(cqlb_future { handle });
        Ok(())
    })
}

/// Prepares `cql` and waits (`*out_prepared`, free it with `cqlb_prepared_free`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_prepare(
    session_handle: cqlb_session,
    cql: *const c_char,
    cql_len: usize,
    out_prepared: *mut cqlb_prepared,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_prepared, "out_prepared")?;
        let s = session(session_handle)?;
        let cql = str_arg(cql, cql_len, "cql")?.to_owned();
        let p = blocking(async move { s.prepare(cql.as_str()).await })?;
        slot.write(cqlb_prepared {
            handle: REGISTRY.insert(Kind::Prepared, p),
        });
        Ok(())
    })
}

/// Starts preparing `cql`; the future yields the prepared statement (`cqlb_future_prepared`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_prepare_async(
    session_handle: cqlb_session,
    cql: *const c_char,
    cql_len: usize,
    out_future: *mut cqlb_future,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_future, "out_future")?;
        let s = session(session_handle)?;
        let cql = str_arg(cql, cql_len, "cql")?.to_owned();
        let handle = spawn(async move {
            s.prepare(cql.as_str())
                .await
                .map(|p| Output::Prepared(Arc::new(p)))
        });
        slot.write(cqlb_future { handle });
        Ok(())
    })
}

/// Executes a batch and waits (`*out_result`: `[applied]` for conditional batches).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_execute_batch(
    session_handle: cqlb_session,
    batch: cqlb_batch,
    out_result: *mut cqlb_result,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_result, "out_result")?;
        let s = session(session_handle)?;
        let b = resolve::<FfiBatch>(batch.handle, Kind::Batch)?.snapshot()?;
        let rs = blocking(async move { s.batch(&b).await })?;
        slot.write(cqlb_result {
            handle: REGISTRY.insert(Kind::Result, crate::result::FfiRows::new(Arc::new(rs))),
        });
        Ok(())
    })
}

/// Starts executing a batch; the future yields its result (`cqlb_future_result`).
#[no_mangle]
pub unsafe extern "C" fn cqlb_session_execute_batch_async(
    session_handle: cqlb_session,
    batch: cqlb_batch,
    out_future: *mut cqlb_future,
) -> cqlb_status {
    ffi_call(|| {
        let slot = out(out_future, "out_future")?;
        let s = session(session_handle)?;
        let b = resolve::<FfiBatch>(batch.handle, Kind::Batch)?.snapshot()?;
        let handle = spawn(async move { s.batch(&b).await.map(|rs| Output::Result(Arc::new(rs))) });
        slot.write(cqlb_future { handle });
        Ok(())
    })
}
