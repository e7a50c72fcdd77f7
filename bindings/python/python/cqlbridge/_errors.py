"""Native errors (ErrorInfo records) -> the DataStax driver's exception classes."""

from . import (
    AlreadyExists, AuthenticationFailed, BindError, ConfigurationException, DriverException,
    ForkedProcess, FunctionFailure, InvalidArgument, InvalidHandle, InvalidRequest, OperationTimedOut,
    ReadFailure, ReadTimeout, Unauthorized, Unavailable, WouldDeadlock, WriteFailure,
    WriteTimeout,
)
from . import protocol
from ._native import CqlError

_CLASSES = {
    "SyntaxError": protocol.SyntaxException,
    "InvalidRequest": InvalidRequest,
    "AlreadyExists": AlreadyExists,
    "Unauthorized": Unauthorized,
    "ConfigurationError": ConfigurationException,
    "Unavailable": Unavailable,
    "Overloaded": protocol.OverloadedErrorMessage,
    "IsBootstrapping": protocol.IsBootstrappingErrorMessage,
    "TruncateError": protocol.TruncateError,
    "ReadTimeout": ReadTimeout,
    "WriteTimeout": WriteTimeout,
    "ReadFailure": ReadFailure,
    "WriteFailure": WriteFailure,
    "FunctionFailure": FunctionFailure,
    "ServerError": protocol.ServerError,
    "AuthenticationFailed": AuthenticationFailed,
    "OperationTimedOut": OperationTimedOut,
    "BindError": BindError,
    "InvalidArgument": InvalidArgument,
    "InvalidHandle": InvalidHandle,
    "WouldDeadlock": WouldDeadlock,
    "ForkedProcess": ForkedProcess,
}

# Kinds whose classes live in modules that import this one.
_LATE = {}


def register(kind, cls):
    """Maps a native error kind to an exception class defined elsewhere (cluster, cqlengine)."""
    _LATE[kind] = cls


def from_info(info):
    """The exception for a native ErrorInfo, with the server's details as attributes (an
    exception passes unchanged)."""
    if isinstance(info, BaseException):
        return info
    cls = _CLASSES.get(info.name) or _LATE.get(info.name) or DriverException
    exc = cls(info.message)
    exc.kind = info.name
    exc.info = info
    if info.consistency is not None:
        exc.consistency = info.consistency
    if cls is Unavailable:
        exc.required_replicas, exc.alive_replicas = info.required, info.received
    elif info.required is not None:
        exc.required_responses, exc.received_responses = info.required, info.received
    if info.failures is not None:
        exc.failures = info.failures
    if info.data_present is not None:
        exc.data_retrieved = info.data_present
    if info.write_type is not None:
        exc.write_type = info.write_type
    if cls is AlreadyExists:
        exc.keyspace, exc.table = info.keyspace, info.table or None
    elif cls is FunctionFailure:
        exc.keyspace, exc.function = info.keyspace, info.table
    return exc


def translate(e):
    """The driver exception for a native CqlError (other exceptions pass unchanged)."""
    if isinstance(e, CqlError.Failed):
        return from_info(e.info)
    return e
