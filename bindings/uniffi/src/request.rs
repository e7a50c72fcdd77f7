//! Requests as one packed buffer (bindings/PACKED.md, "Requests"): what to run, its options
//! and its values, decoded here once per request instead of crossing the FFI field by field.

use std::time::Duration;

use cqlbridge_core::packed::Reader;
use cqlbridge_core::{
    Batch, BatchType, Error, Prepared, Query, Statement, StatementOptions, Values,
};

use crate::config::{consistency, serial_consistency};
use crate::error::{invalid, CqlError};

/// Request kinds.
const SINGLE: u8 = 0;
const BATCH: u8 = 1;
const CONCURRENT: u8 = 2;

/// Statement kinds.
const CQL: u8 = 0;
const PREPARED: u8 = 1;

/// Option flags.
const HAS_CONSISTENCY: u8 = 1;
const HAS_SERIAL: u8 = 1 << 1;
const HAS_PAGE_SIZE: u8 = 1 << 2;
const HAS_TIMEOUT: u8 = 1 << 3;
const IDEMPOTENT: u8 = 1 << 4;
const TRACING: u8 = 1 << 5;
const HAS_PROFILE: u8 = 1 << 6;
const HAS_HOST: u8 = 1 << 7;

/// A decoded request.
pub(crate) enum Request {
    /// One execution: the page at `paging_state` (or the first).
    Single {
        query: Query,
        values: Values,
        paging_state: Option<Vec<u8>>,
        options: StatementOptions,
    },
    /// A batch.
    Batch(Batch),
    /// One statement, once per row of values.
    Concurrent {
        query: Query,
        rows: Vec<Values>,
        concurrency: usize,
        raise_on_first_error: bool,
        options: StatementOptions,
    },
}

/// A decoded request with the id it completes under.
pub(crate) struct Submitted {
    pub id: u64,
    pub request: Request,
}

fn malformed(e: impl std::fmt::Display) -> CqlError {
    invalid(format!("malformed request: {e}"))
}

/// Decodes a request; `prepared` resolves a prepared statement's id.
pub(crate) fn decode(
    buf: &[u8],
    prepared: impl Fn(u64) -> Option<Prepared>,
) -> Result<Submitted, CqlError> {
    let mut r = Reader::new(buf);
    let id = r.u64().map_err(malformed)?;
    let kind = r.u8().map_err(malformed)?;
    let request = match kind {
        SINGLE => {
            let query = query(&mut r, &prepared)?;
            let paging_state = r.opt_bytes().map_err(malformed)?.map(<[u8]>::to_vec);
            let options = options(&mut r)?;
            let values = values(&mut r)?;
            Request::Single {
                query,
                values,
                paging_state,
                options,
            }
        }
        BATCH => {
            let kind = match r.u8().map_err(malformed)? {
                0 => BatchType::Logged,
                1 => BatchType::Unlogged,
                2 => BatchType::Counter,
                k => {
                    return Err(invalid(format!(
                        "unknown batch type {k} (0 LOGGED, 1 UNLOGGED, 2 COUNTER)"
                    )))
                }
            };
            let options = options(&mut r)?;
            let n = r.u32().map_err(malformed)?;
            let mut batch = Batch::new(kind).with_options(options);
            for _ in 0..n {
                let q = query(&mut r, &prepared)?;
                batch = batch.add(q, values(&mut r)?);
            }
            Request::Batch(batch)
        }
        CONCURRENT => {
            let query = query(&mut r, &prepared)?;
            let concurrency = r.u32().map_err(malformed)?.max(1);
            let raise_on_first_error = r.u8().map_err(malformed)? != 0;
            let options = options(&mut r)?;
            let n = r.u32().map_err(malformed)?;
            let rows = (0..n).map(|_| values(&mut r)).collect::<Result<_, _>>()?;
            Request::Concurrent {
                query,
                rows,
                concurrency,
                raise_on_first_error,
                options,
            }
        }
        k => return Err(invalid(format!("unknown request kind {k}"))),
    };
    if !r.at_end() {
        return Err(malformed("trailing bytes"));
    }
    Ok(Submitted { id, request })
}

fn query(
    r: &mut Reader<'_>,
    prepared: &impl Fn(u64) -> Option<Prepared>,
) -> Result<Query, CqlError> {
    match r.u8().map_err(malformed)? {
        CQL => Ok(Query::Cql(Statement::new(r.str().map_err(malformed)?))),
        PREPARED => {
            let id = r.u64().map_err(malformed)?;
            prepared(id).map(Query::Prepared).ok_or_else(|| {
                Error::InvalidHandle(format!("no prepared statement {id}: it was closed")).into()
            })
        }
        k => Err(invalid(format!("unknown statement kind {k}"))),
    }
}

fn options(r: &mut Reader<'_>) -> Result<StatementOptions, CqlError> {
    let flags = r.u8().map_err(malformed)?;
    let mut o = StatementOptions {
        idempotent: flags & IDEMPOTENT != 0,
        tracing: flags & TRACING != 0,
        ..Default::default()
    };
    if flags & HAS_CONSISTENCY != 0 {
        o.consistency = Some(consistency(r.u16().map_err(malformed)?)?);
    }
    if flags & HAS_SERIAL != 0 {
        o.serial_consistency = Some(serial_consistency(r.u16().map_err(malformed)?)?);
    }
    if flags & HAS_PAGE_SIZE != 0 {
        let size = r.i32().map_err(malformed)?;
        if size <= 0 {
            return Err(invalid(format!("a page size must be positive, not {size}")));
        }
        o.page_size = Some(size);
    }
    if flags & HAS_TIMEOUT != 0 {
        o.timeout = Some(Duration::from_millis(r.u64().map_err(malformed)?));
    }
    if flags & HAS_PROFILE != 0 {
        o.profile = Some(r.str().map_err(malformed)?);
    }
    if flags & HAS_HOST != 0 {
        o.host = Some(r.str().map_err(malformed)?);
    }
    Ok(o)
}

/// A row of values: a count, then the values (a count of 0 is no values).
fn values(r: &mut Reader<'_>) -> Result<Values, CqlError> {
    let n = r.u32().map_err(malformed)?;
    if n == 0 {
        return Ok(Values::None);
    }
    let row = (0..n)
        .map(|_| r.value())
        .collect::<Result<_, _>>()
        .map_err(malformed)?;
    Ok(Values::Positional(row))
}
