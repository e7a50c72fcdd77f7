//! `c_abi_calls`: the fuzz input read as a sequence of C ABI calls, with arbitrary handles
//! (live ones, freed ones, ones of another kind, 0, `u64::MAX`, random numbers), arbitrary
//! buffers (NULL, empty, non-UTF-8, embedded NULs; a length never longer than the buffer the
//! caller really owns) and NULL or valid out-params. No call reaches the network: configs
//! are built, never connected; results, futures and sessions are only ever arbitrary
//! handles.
//!
//! Checked after every call: no export returns `CQLB_PANIC` (a caught panic is a bug); a
//! probe on a handle answers `CQLB_INVALID_HANDLE` exactly when the handle is freed, of
//! another kind or never was; freeing twice is refused; calls on kinds this input never
//! creates (results, futures, sessions, ...) never succeed; `cqlb_last_error_message` is
//! UTF-8 and NUL-terminated; and once every live handle is freed, the registry holds as many
//! handles as before the input (nothing leaked, e.g. through a NULL out-param).
//!
//! Compiled for tests and with the `fuzzing` feature only; not part of the public API.

use std::ffi::c_char;
use std::ptr::{null, null_mut};

use cqlbridge_core::fuzz_checks::Input;

use crate::batch::*;
use crate::config::*;
use crate::element::*;
use crate::future::*;
use crate::mapper::*;
use crate::prepared::*;
use crate::result::*;
use crate::session::*;
use crate::statement::*;
use crate::status::cqlb_status;
use crate::value::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum K {
    Config,
    Statement,
    Batch,
    Value,
    Model,
    ModelBatch,
}

const KINDS: [K; 6] = [
    K::Config,
    K::Statement,
    K::Batch,
    K::Value,
    K::Model,
    K::ModelBatch,
];

#[derive(Debug, Clone, Copy)]
struct H {
    raw: u64,
    kind: K,
    live: bool,
}

/// A `(ptr, len)` argument: NULL (with any length: the callee must not read it), or a real
/// buffer with a length no longer than it.
struct Buf {
    data: Vec<u8>,
    null: bool,
    len: usize,
}

impl Buf {
    fn read(inp: &mut Input<'_>) -> Buf {
        let mode = inp.u8();
        let mut data = match mode % 8 {
            0 => Vec::new(),
            1 => inp.text().into_bytes(),
            2 => b"map<text, frozen<list<int>>>".to_vec(),
            3 => ["int", "text", "uuid", "ks.addr", "timeuuid", "list<int>"][inp.below(6)]
                .as_bytes()
                .to_vec(),
            4 => b"127.0.0.1".to_vec(),
            _ => inp.bytes(24).to_vec(),
        };
        let null = mode >= 240;
        let len = if null {
            if mode & 1 == 0 {
                0
            } else {
                inp.u64() as usize
            }
        } else if mode % 16 == 15 {
            // Shorter than the buffer: cuts UTF-8 sequences, drops a trailing NUL.
            inp.below(data.len() + 1)
        } else {
            data.len()
        };
        if data.is_empty() && inp.u8().is_multiple_of(4) {
            data.push(0);
        }
        Buf { data, null, len }
    }

    fn ptr(&self) -> *const u8 {
        if self.null {
            null()
        } else {
            self.data.as_ptr()
        }
    }

    fn c(&self) -> *const c_char {
        self.ptr().cast()
    }
}

fn out<T>(inp: &mut Input<'_>, slot: &mut T) -> *mut T {
    if inp.u8().is_multiple_of(16) {
        null_mut()
    } else {
        slot
    }
}

struct State {
    handles: Vec<H>,
    /// `cqlb_value_append_value` calls left: appending a value to itself doubles it, so a few
    /// dozen calls ask for gigabytes, as they would from any caller (not a finding).
    copies_left: usize,
}

impl State {
    /// A handle argument: a known one (live or not), or 0, `u64::MAX`, a random number, a
    /// known one with another generation.
    fn pick(&self, inp: &mut Input<'_>) -> u64 {
        match inp.u8() % 10 {
            0 => 0,
            1 => u64::MAX,
            2 => inp.u64(),
            3 if !self.handles.is_empty() => {
                self.handles[inp.below(self.handles.len())].raw ^ (u64::from(inp.u8()) << 8)
            }
            _ if !self.handles.is_empty() => self.handles[inp.below(self.handles.len())].raw,
            _ => inp.u64(),
        }
    }

    fn live(&self, raw: u64, kind: K) -> bool {
        self.handles
            .iter()
            .any(|h| h.raw == raw && h.kind == kind && h.live)
    }

    fn created(&mut self, status: cqlb_status, raw: u64, kind: K) {
        if status == cqlb_status::CQLB_OK {
            assert_ne!(raw, 0, "a {kind:?} was created with handle 0");
            assert!(
                !self.handles.iter().any(|h| h.raw == raw && h.live),
                "a new {kind:?} got a live handle's number"
            );
            self.handles.push(H {
                raw,
                kind,
                live: true,
            });
        }
    }
}

fn ok(status: cqlb_status, what: &str) -> cqlb_status {
    assert_ne!(status, cqlb_status::CQLB_PANIC, "{what} panicked");
    status
}

/// A call that is refused with `CQLB_INVALID_HANDLE` exactly when its handle is not a live
/// one of `kind` (a model batch aside: see there).
unsafe fn probe(kind: K, raw: u64) -> cqlb_status {
    unsafe {
        match kind {
            K::Config => cqlb_cluster_config_set_port(cqlb_cluster_config { handle: raw }, 9042),
            K::Statement => cqlb_statement_set_idempotent(cqlb_statement { handle: raw }, true),
            K::Batch => cqlb_batch_set_options(cqlb_batch { handle: raw }, 1, 0),
            K::Value => cqlb_value_append_bool(cqlb_value { handle: raw }, true),
            K::Model => cqlb_model_set_default_ttl(cqlb_model { handle: raw }, 0),
            // Nothing takes a model batch alone: with no model, this is refused whatever the
            // batch, so it only tells a live batch when it is not one.
            K::ModelBatch => cqlb_model_batch_add_delete(
                cqlb_model_batch { handle: raw },
                cqlb_model { handle: 0 },
                cqlb_value { handle: 0 },
                null(),
            ),
        }
    }
}

fn free(kind: K, raw: u64) -> cqlb_status {
    match kind {
        K::Config => cqlb_cluster_config_free(cqlb_cluster_config { handle: raw }),
        K::Statement => cqlb_statement_free(cqlb_statement { handle: raw }),
        K::Batch => cqlb_batch_free(cqlb_batch { handle: raw }),
        K::Value => cqlb_value_free(cqlb_value { handle: raw }),
        K::Model => cqlb_model_free(cqlb_model { handle: raw }),
        K::ModelBatch => cqlb_model_batch_free(cqlb_model_batch { handle: raw }),
    }
}

fn live_count() -> usize {
    let mut n = 0;
    // SAFETY: a valid out-param.
    let status = unsafe { crate::cqlb_live_handle_count(&mut n) };
    assert_eq!(status, cqlb_status::CQLB_OK);
    n
}

/// Runs the check on one fuzz input; panics on a violated property.
pub fn check(data: &[u8]) {
    let before = live_count();
    let mut inp = Input::new(data);
    let mut st = State {
        handles: Vec::new(),
        copies_left: 8,
    };
    let mut steps = 0;
    while !inp.is_empty() && steps < 256 {
        steps += 1;
        // SAFETY: every pointer passed is NULL or valid for the length passed with it.
        unsafe { step(&mut inp, &mut st) };
    }
    for h in st.handles.iter_mut().filter(|h| h.live) {
        let status = free(h.kind, h.raw);
        assert_eq!(status, cqlb_status::CQLB_OK, "freeing live {h:?}");
        h.live = false;
    }
    for h in &st.handles {
        // SAFETY: as above.
        let status = unsafe { probe(h.kind, h.raw) };
        assert_eq!(
            status,
            cqlb_status::CQLB_INVALID_HANDLE,
            "{h:?} after it was freed"
        );
    }
    assert_eq!(live_count(), before, "handles leaked");
}

unsafe fn step(inp: &mut Input<'_>, st: &mut State) {
    unsafe {
        match inp.u8() % 24 {
            0 => {
                let mut h = cqlb_cluster_config { handle: 0 };
                let s = ok(cqlb_cluster_config_new(out(inp, &mut h)), "config_new");
                st.created(s, h.handle, K::Config);
            }
            1 => {
                let b = Buf::read(inp);
                let mut h = cqlb_statement { handle: 0 };
                let s = ok(
                    cqlb_statement_new(b.c(), b.len, out(inp, &mut h)),
                    "statement_new",
                );
                st.created(s, h.handle, K::Statement);
            }
            2 => {
                let mut h = cqlb_batch { handle: 0 };
                let t = u32::from(inp.u8() % 5);
                let s = ok(cqlb_batch_new(t, out(inp, &mut h)), "batch_new");
                st.created(s, h.handle, K::Batch);
            }
            3 => {
                let mut h = cqlb_value { handle: 0 };
                let o = out(inp, &mut h);
                let s = ok(
                    match inp.u8() % 6 {
                        0 => cqlb_value_new_list(o),
                        1 => cqlb_value_new_set(o),
                        2 => cqlb_value_new_map(o),
                        3 => cqlb_value_new_tuple(o),
                        4 => cqlb_value_new_udt(o),
                        _ => cqlb_value_new_vector(o),
                    },
                    "value_new",
                );
                st.created(s, h.handle, K::Value);
            }
            4 => {
                let b = Buf::read(inp);
                let mut h = cqlb_model { handle: 0 };
                let s = ok(cqlb_model_new(b.c(), b.len, out(inp, &mut h)), "model_new");
                st.created(s, h.handle, K::Model);
            }
            5 => {
                let mut h = cqlb_model_batch { handle: 0 };
                let t = u32::from(inp.u8() % 5);
                let s = ok(cqlb_model_batch_new(t, out(inp, &mut h)), "model_batch_new");
                st.created(s, h.handle, K::ModelBatch);
            }
            6 | 7 => {
                // Probe: only a live handle of the right kind is accepted.
                let raw = st.pick(inp);
                let kind = KINDS[inp.below(KINDS.len())];
                let s = ok(probe(kind, raw), "probe");
                if st.live(raw, kind) {
                    if kind != K::ModelBatch {
                        assert_ne!(
                            s,
                            cqlb_status::CQLB_INVALID_HANDLE,
                            "probe of live {kind:?} {raw:#x}"
                        );
                    }
                } else {
                    assert_eq!(
                        s,
                        cqlb_status::CQLB_INVALID_HANDLE,
                        "probe of {kind:?} {raw:#x}, not a live one of that kind"
                    );
                }
            }
            8 => {
                let raw = st.pick(inp);
                let kind = KINDS[inp.below(KINDS.len())];
                let live = st.live(raw, kind);
                let s = ok(free(kind, raw), "free");
                if live {
                    assert_eq!(s, cqlb_status::CQLB_OK, "free of live {kind:?} {raw:#x}");
                    for h in st.handles.iter_mut().filter(|h| h.raw == raw) {
                        h.live = false;
                    }
                } else {
                    assert_eq!(
                        s,
                        cqlb_status::CQLB_INVALID_HANDLE,
                        "free of {kind:?} {raw:#x}"
                    );
                }
            }
            9 | 10 => config_call(inp, st),
            11 | 12 => statement_call(inp, st),
            13 => {
                let b = cqlb_batch {
                    handle: st.pick(inp),
                };
                if inp.bool() {
                    let s = cqlb_statement {
                        handle: st.pick(inp),
                    };
                    ok(cqlb_batch_add_statement(b, s), "batch_add_statement");
                } else {
                    ok(
                        cqlb_batch_set_options(b, inp.u16(), inp.i64()),
                        "batch_set_options",
                    );
                }
            }
            14 | 15 => value_call(inp, st),
            16 | 17 => model_call(inp, st),
            18 => model_batch_call(inp, st),
            19 => nothing_to_find(inp, st),
            20 => {
                let mut msg: *const c_char = null();
                let mut len = 0usize;
                let (m, l) = if inp.u8().is_multiple_of(8) {
                    (null_mut(), &mut len as *mut usize)
                } else {
                    (&mut msg as *mut _, &mut len as *mut usize)
                };
                let s = ok(crate::cqlb_last_error_message(m, l), "last_error_message");
                if s == cqlb_status::CQLB_OK {
                    assert!(!msg.is_null());
                    let bytes = std::slice::from_raw_parts(msg.cast::<u8>(), len + 1);
                    assert_eq!(bytes[len], 0, "the last error is not NUL-terminated");
                    assert!(std::str::from_utf8(&bytes[..len]).is_ok());
                }
            }
            _ => {
                // The status names of every status an input can produce.
                for s in [
                    cqlb_status::CQLB_OK,
                    cqlb_status::CQLB_INVALID_HANDLE,
                    cqlb_status::CQLB_PANIC,
                    cqlb_status::CQLB_BIND_ERROR,
                ] {
                    assert!(!crate::status::cqlb_status_name(s).is_null());
                }
                assert!(!crate::status::cqlb_version().is_null());
            }
        }
    }
}

unsafe fn config_call(inp: &mut Input<'_>, st: &mut State) {
    let c = cqlb_cluster_config {
        handle: st.pick(inp),
    };
    let b = Buf::read(inp);
    unsafe {
        let s = match inp.u8() % 17 {
            0 => cqlb_cluster_config_add_contact_point(c, b.c(), b.len),
            1 => cqlb_cluster_config_set_port(c, inp.u16()),
            2 => cqlb_cluster_config_set_keyspace(c, b.c(), b.len),
            3 => cqlb_cluster_config_set_consistency(c, inp.u16()),
            4 => cqlb_cluster_config_set_request_timeout_ms(c, inp.u64()),
            5 => cqlb_cluster_config_set_connect_timeout_ms(c, inp.u64()),
            6 => cqlb_cluster_config_set_page_size(c, inp.i32()),
            7 => {
                let p = Buf::read(inp);
                cqlb_cluster_config_set_credentials(c, b.c(), b.len, p.c(), p.len)
            }
            8 => cqlb_cluster_config_set_load_balancing(
                c,
                inp.bool(),
                b.c(),
                b.len,
                inp.bool(),
                inp.bool(),
            ),
            9 => cqlb_cluster_config_set_retry_policy(c, inp.u32() % 8),
            10 => cqlb_cluster_config_set_speculative_execution(c, inp.u64(), inp.u32()),
            11 => cqlb_cluster_config_set_compression(c, inp.u32() % 8),
            12 => cqlb_cluster_config_add_profile(
                c,
                b.c(),
                b.len,
                inp.u16(),
                inp.u32() % 8,
                inp.u64(),
            ),
            13 => cqlb_cluster_config_add_allowed_host(c, b.c(), b.len),
            14 => cqlb_cluster_config_set_reconnection(c, inp.u32() % 4, inp.u64(), inp.u64()),
            15 => cqlb_cluster_config_set_heartbeat_interval_ms(c, inp.u64()),
            _ => cqlb_cluster_config_set_page_size(c, -1),
        };
        ok(s, "a config call");
    }
}

unsafe fn statement_call(inp: &mut Input<'_>, st: &mut State) {
    let t = cqlb_statement {
        handle: st.pick(inp),
    };
    let b = Buf::read(inp);
    let i = if inp.bool() {
        inp.below(4)
    } else {
        inp.u64() as usize
    };
    let uuid: [u8; 16] = inp.take(16).try_into().unwrap_or([0x11; 16]);
    let up = if inp.u8().is_multiple_of(8) {
        null()
    } else {
        uuid.as_ptr()
    };
    unsafe {
        let s = match inp.u8() % 36 {
            0 => cqlb_statement_set_consistency(t, inp.u16()),
            1 => cqlb_statement_set_serial_consistency(t, inp.u16()),
            2 => cqlb_statement_set_page_size(t, inp.i32()),
            3 => cqlb_statement_set_paging_state(t, b.ptr(), b.len),
            4 => cqlb_statement_set_timeout_ms(t, inp.u64()),
            5 => cqlb_statement_set_timestamp(t, inp.i64()),
            6 => cqlb_statement_set_profile(t, b.c(), b.len),
            7 => cqlb_statement_set_host(t, b.c(), b.len),
            8 => cqlb_statement_set_tracing(t, inp.bool()),
            9 => cqlb_statement_bind_null(t, i),
            10 => cqlb_statement_bind_unset(t, i),
            11 => cqlb_statement_bind_bool(t, i, inp.bool()),
            12 => cqlb_statement_bind_int8(t, i, inp.u8() as i8),
            13 => cqlb_statement_bind_int16(t, i, inp.u16() as i16),
            14 => cqlb_statement_bind_int32(t, i, inp.i32()),
            15 => cqlb_statement_bind_int64(t, i, inp.i64()),
            16 => cqlb_statement_bind_counter(t, i, inp.i64()),
            17 => cqlb_statement_bind_float(t, i, inp.f64() as f32),
            18 => cqlb_statement_bind_double(t, i, inp.f64()),
            19 => cqlb_statement_bind_string(t, i, b.c(), b.len),
            20 => cqlb_statement_bind_blob(t, i, b.ptr(), b.len),
            21 => cqlb_statement_bind_uuid(t, i, up),
            22 => cqlb_statement_bind_timeuuid(t, i, up),
            23 => cqlb_statement_bind_inet(t, i, b.c(), b.len),
            24 => cqlb_statement_bind_date(t, i, inp.i32()),
            25 => cqlb_statement_bind_time(t, i, inp.i64()),
            26 => cqlb_statement_bind_timestamp(t, i, inp.i64()),
            27 => cqlb_statement_bind_duration(t, i, inp.i32(), inp.i32(), inp.i64()),
            28 => cqlb_statement_bind_decimal(t, i, b.c(), b.len),
            29 => cqlb_statement_bind_varint(t, i, b.c(), b.len),
            30 => cqlb_statement_bind_value(
                t,
                i,
                cqlb_value {
                    handle: st.pick(inp),
                },
            ),
            31 => cqlb_statement_bind_null_by_name(t, b.c(), b.len),
            32 => cqlb_statement_bind_int32_by_name(t, b.c(), b.len, inp.i32()),
            33 => {
                let v = Buf::read(inp);
                cqlb_statement_bind_string_by_name(t, b.c(), b.len, v.c(), v.len)
            }
            34 => cqlb_statement_bind_value_by_name(
                t,
                b.c(),
                b.len,
                cqlb_value {
                    handle: st.pick(inp),
                },
            ),
            _ => cqlb_statement_set_idempotent(t, inp.bool()),
        };
        ok(s, "a statement call");
    }
}

unsafe fn value_call(inp: &mut Input<'_>, st: &mut State) {
    let v = cqlb_value {
        handle: st.pick(inp),
    };
    let b = Buf::read(inp);
    let uuid: [u8; 16] = inp.take(16).try_into().unwrap_or([0x11; 16]);
    let up = if inp.u8().is_multiple_of(8) {
        null()
    } else {
        uuid.as_ptr()
    };
    let mut op = inp.u8() % 22;
    if matches!(op, 1 | 21) {
        if st.copies_left == 0 {
            op = 2;
        } else {
            st.copies_left -= 1;
        }
    }
    unsafe {
        let s = match op {
            0 => cqlb_value_field(v, b.c(), b.len),
            1 => cqlb_value_append_value(
                v,
                cqlb_value {
                    handle: st.pick(inp),
                },
            ),
            2 => cqlb_value_append_null(v),
            3 => cqlb_value_append_bool(v, inp.bool()),
            4 => cqlb_value_append_int8(v, inp.u8() as i8),
            5 => cqlb_value_append_int16(v, inp.u16() as i16),
            6 => cqlb_value_append_int32(v, inp.i32()),
            7 => cqlb_value_append_int64(v, inp.i64()),
            8 => cqlb_value_append_float(v, inp.f64() as f32),
            9 => cqlb_value_append_double(v, inp.f64()),
            10 => cqlb_value_append_string(v, b.c(), b.len),
            11 => cqlb_value_append_blob(v, b.ptr(), b.len),
            12 => cqlb_value_append_uuid(v, up),
            13 => cqlb_value_append_inet(v, b.c(), b.len),
            14 => cqlb_value_append_date(v, inp.i32()),
            15 => cqlb_value_append_timestamp(v, inp.i64()),
            16 => cqlb_value_append_timeuuid(v, up),
            17 => cqlb_value_append_time(v, inp.i64()),
            18 => cqlb_value_append_duration(v, inp.i32(), inp.i32(), inp.i64()),
            19 => cqlb_value_append_decimal(v, b.c(), b.len),
            20 => cqlb_value_append_varint(v, b.c(), b.len),
            _ => cqlb_value_append_value(v, v),
        };
        ok(s, "a value call");
    }
}

unsafe fn model_call(inp: &mut Input<'_>, st: &mut State) {
    let m = cqlb_model {
        handle: st.pick(inp),
    };
    let a = Buf::read(inp);
    let b = Buf::read(inp);
    unsafe {
        let s = match inp.u8() % 12 {
            0 => cqlb_model_set_keyspace(m, a.c(), a.len),
            1 => cqlb_model_set_table(m, a.c(), a.len),
            2 | 3 => {
                cqlb_model_add_column(m, a.c(), a.len, b.c(), b.len, inp.u32() % 5, inp.u32() % 8)
            }
            4 => cqlb_model_set_column_default(m, a.c(), a.len, inp.u32() % 6),
            5 => cqlb_model_set_column_length(
                m,
                a.c(),
                a.len,
                inp.u64() as usize,
                inp.u64() as usize,
            ),
            6 => cqlb_model_set_column_db_field(m, a.c(), a.len, b.c(), b.len),
            7 => cqlb_model_set_option_int(m, a.c(), a.len, inp.i64()),
            8 => cqlb_model_set_option_text(m, a.c(), a.len, b.c(), b.len),
            9 => {
                let c = Buf::read(inp);
                cqlb_model_set_option_entry(m, a.c(), a.len, b.c(), b.len, c.c(), c.len)
            }
            10 => cqlb_model_set_polymorphism(m, a.c(), a.len, b.c(), b.len),
            _ => cqlb_model_add_subtype(m, a.c(), a.len, b.c(), b.len),
        };
        ok(s, "a model call");
    }
}

unsafe fn model_batch_call(inp: &mut Input<'_>, st: &mut State) {
    let b = cqlb_model_batch {
        handle: st.pick(inp),
    };
    let m = cqlb_model {
        handle: st.pick(inp),
    };
    let v = cqlb_value {
        handle: st.pick(inp),
    };
    let w = cqlb_value {
        handle: st.pick(inp),
    };
    let opts = cqlb_write_options {
        ttl: inp.i32(),
        timestamp: inp.i64(),
        consistency: inp.u16(),
        if_not_exists: inp.bool(),
        if_exists: inp.bool(),
        conditions: cqlb_value {
            handle: if inp.bool() { 0 } else { st.pick(inp) },
        },
    };
    let o = if inp.bool() {
        null()
    } else {
        &opts as *const _
    };
    unsafe {
        let s = match inp.u8() % 3 {
            0 => cqlb_model_batch_add_create(b, m, v, o),
            1 => cqlb_model_batch_add_update(b, m, v, w, o),
            _ => cqlb_model_batch_add_delete(b, m, v, o),
        };
        ok(s, "a model batch call");
    }
}

/// Calls on kinds an input never creates (results, futures, prepared statements, sessions):
/// none may succeed.
unsafe fn nothing_to_find(inp: &mut Input<'_>, st: &mut State) {
    let raw = st.pick(inp);
    let r = cqlb_result { handle: raw };
    let (row, col) = (inp.u64() as usize, inp.below(3));
    let path: Vec<usize> = (0..inp.count(3)).map(|_| inp.below(3)).collect();
    let mut n = 0usize;
    let mut i32v = 0i32;
    let mut text: *const c_char = null();
    let mut bytes = [0u8; 16];
    let mut flag = false;
    unsafe {
        let s = match inp.u8() % 14 {
            0 => cqlb_result_row_count(r, &mut n),
            1 => cqlb_result_column_name(r, col, &mut text, &mut n),
            2 => cqlb_result_get_int32(r, row, col, &mut i32v),
            3 => cqlb_result_get_string(r, row, col, &mut text, &mut n),
            4 => cqlb_result_get_uuid(r, row, col, bytes.as_mut_ptr()),
            5 => cqlb_result_element_count(r, row, col, path.as_ptr(), path.len(), &mut n),
            6 => cqlb_result_element_get_int32(r, row, col, path.as_ptr(), path.len(), &mut i32v),
            7 => cqlb_result_free(r),
            8 => cqlb_future_ready(cqlb_future { handle: raw }, &mut flag),
            9 => cqlb_future_wait_timed(cqlb_future { handle: raw }, 0, &mut flag),
            10 => cqlb_future_free(cqlb_future { handle: raw }),
            11 => cqlb_prepared_param_count(cqlb_prepared { handle: raw }, &mut n),
            12 => cqlb_session_free(cqlb_session { handle: raw }),
            _ => {
                let mut f = cqlb_future { handle: 0 };
                cqlb_session_execute_async(
                    cqlb_session { handle: raw },
                    cqlb_statement {
                        handle: st.pick(inp),
                    },
                    &mut f,
                )
            }
        };
        ok(
            s,
            "a call on a result, future, prepared statement or session",
        );
        assert_ne!(
            s,
            cqlb_status::CQLB_OK,
            "a call on handle {raw:#x} that no input creates succeeded"
        );
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Mutex;

    /// The check compares the registry's live count before and after: one at a time.
    static SERIAL: Mutex<()> = Mutex::new(());

    #[test]
    fn c_abi_calls_regressions_and_seeds_pass() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        for dir in ["regressions", "corpus"] {
            let folder = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../fuzz")
                .join(dir)
                .join("c_abi_calls");
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
            paths.sort();
            for path in &paths {
                let data = std::fs::read(path).unwrap();
                let outcome = std::panic::catch_unwind(|| super::check(&data));
                assert!(outcome.is_ok(), "{} fails its check", path.display());
            }
        }
    }

    #[test]
    fn short_inputs_pass() {
        let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
        for data in [&[][..], &[0], &[0, 0, 8], &[0xFF; 64], &[3, 1, 1, 14, 7, 2]] {
            super::check(data);
        }
    }
}
