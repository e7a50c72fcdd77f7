"""The hot native calls — submit, submit_many, submit_model, drain — made through uniffi's
scaffolding functions directly, as the Kotlin binding's HotCalls does.

The generated methods lower every argument with Python code: each handle is cloned by one
ctypes call, each `bytes` is copied into a buffer that grows by further ctypes calls (a
first allocation of 16 bytes, then a reserve), and each call builds a call-status structure:
~15–140 µs a call on this machine, per request. Here a request is one allocation and one
copy, and each thread reuses one call status. What stays generated: the types, the
converters that lift a result or an error, the library's loading and checks. This leans on
the generated module's internals, which the pinned uniffi version (0.32.2) keeps stable;
the test suite exercises every function here.
"""

import ctypes
import struct
import threading

from ._native import cqlbridge_uniffi as _u

_lib = _u._UniffiLib
_alloc = _lib.ffi_cqlbridge_uniffi_rustbuffer_alloc
_clone_connection = _lib.uniffi_cqlbridge_uniffi_fn_clone_connection
_clone_model = _lib.uniffi_cqlbridge_uniffi_fn_clone_model
_clone_queue = _lib.uniffi_cqlbridge_uniffi_fn_clone_completionqueue
_submit = _lib.uniffi_cqlbridge_uniffi_fn_method_connection_submit
_submit_many = _lib.uniffi_cqlbridge_uniffi_fn_method_connection_submit_many
_submit_model = _lib.uniffi_cqlbridge_uniffi_fn_method_connection_submit_model
_drain = _lib.uniffi_cqlbridge_uniffi_fn_method_completionqueue_drain
_lift_drained = _u._UniffiFfiConverterTypeDrained.lift
_errors = _u._UniffiFfiConverterTypeCqlError
_length = struct.Struct(">i")  # how uniffi frames a `bytes` argument
_local = threading.local()


def _status():
    status = getattr(_local, "status", None)
    if status is None:
        status = _local.status = _u._UniffiRustCallStatus.default()
    return status


def _raise(status):
    """Raises what a failed call reported (CqlError, or a panic as InternalError); the
    thread takes a fresh call status next time."""
    _local.status = None
    _u._uniffi_check_call_status(_errors, status)


def _lower(data, status, ref):
    """`data` as a `bytes` argument: a buffer the library allocated, holding the length and
    the bytes."""
    payload = _length.pack(len(data)) + data
    buf = _alloc(len(payload), ref)
    if status.code:
        _raise(status)
    ctypes.memmove(buf.data, payload, len(payload))
    buf.len = len(payload)
    return buf


def _call_with_bytes(fn, connection, data, *args):
    """A `Connection` method taking `args`, then one `bytes` argument."""
    status = _status()
    ref = ctypes.byref(status)
    buf = _lower(data, status, ref)
    handle = _clone_connection(connection._handle, ref)
    if status.code:
        _raise(status)
    fn(handle, *args, buf, ref)
    if status.code:
        _raise(status)


def submit(connection, request):
    """`Connection.submit(request)`."""
    _call_with_bytes(_submit, connection, request)


def submit_many(connection, requests):
    """`Connection.submit_many(requests)`."""
    _call_with_bytes(_submit_many, connection, requests)


def submit_model(connection, request_id, model, request):
    """`Connection.submit_model(request_id, model, request)`."""
    status = _status()
    model_handle = _clone_model(model._handle, ctypes.byref(status))
    if status.code:
        _raise(status)
    _call_with_bytes(_submit_model, connection, request, request_id, model_handle)


def drain(queue, timeout_ms):
    """`CompletionQueue.drain(timeout_ms)` (the wait releases the GIL)."""
    status = _status()
    ref = ctypes.byref(status)
    handle = _clone_queue(queue._handle, ref)
    if status.code:
        _raise(status)
    buf = _drain(handle, timeout_ms, ref)
    if status.code:
        _raise(status)
    return _lift_drained(buf)
