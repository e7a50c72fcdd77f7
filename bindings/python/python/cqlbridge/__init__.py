"""cqlbridge: Apache Cassandra and ScyllaDB from Python over one Rust driver core.

Names follow the DataStax Python driver (``cassandra``): code written for it runs after
changing the import prefix ``cassandra`` -> ``cqlbridge``. This module holds, as there, the
consistency levels and the exceptions; ``cqlbridge.cluster`` has ``Cluster`` and ``Session``.
"""

__version__ = "0.1.0"
__version_info__ = (0, 1, 0)


class ConsistencyLevel:
    """Consistency levels, by their protocol codes."""

    ANY = 0
    ONE = 1
    TWO = 2
    THREE = 3
    QUORUM = 4
    ALL = 5
    LOCAL_QUORUM = 6
    EACH_QUORUM = 7
    SERIAL = 8
    LOCAL_SERIAL = 9
    LOCAL_ONE = 10

    value_to_name = {
        0: "ANY", 1: "ONE", 2: "TWO", 3: "THREE", 4: "QUORUM", 5: "ALL", 6: "LOCAL_QUORUM",
        7: "EACH_QUORUM", 8: "SERIAL", 9: "LOCAL_SERIAL", 10: "LOCAL_ONE",
    }
    name_to_value = {name: code for code, name in value_to_name.items()}

    @staticmethod
    def is_serial(cl):
        return cl in (ConsistencyLevel.SERIAL, ConsistencyLevel.LOCAL_SERIAL)


class ProtocolVersion:
    """Native protocol versions. The driver negotiates v4 or v5 by itself."""

    V3 = 3
    V4 = 4
    V5 = 5
    SUPPORTED_VERSIONS = (5, 4)
    MIN_SUPPORTED = 4
    MAX_SUPPORTED = 5


class DriverException(Exception):
    """Base of every exception this driver raises."""

    #: The native error's kind name (e.g. ``InvalidRequest``), when it came from the core.
    kind = None


class RequestExecutionException(DriverException):
    """A request failed on the server side."""


class Unavailable(RequestExecutionException):
    """Too few replicas were alive for the consistency level."""

    consistency = None
    required_replicas = None
    alive_replicas = None


class Timeout(RequestExecutionException):
    """Replicas did not answer in time (base of ReadTimeout and WriteTimeout)."""

    consistency = None
    required_responses = None
    received_responses = None


class ReadTimeout(Timeout):
    """Replicas did not answer a read in time."""

    data_retrieved = None


class WriteTimeout(Timeout):
    """Replicas did not acknowledge a write in time."""

    write_type = None


class CoordinationFailure(RequestExecutionException):
    """Replicas failed (base of ReadFailure and WriteFailure)."""

    consistency = None
    required_responses = None
    received_responses = None
    failures = None


class ReadFailure(CoordinationFailure):
    """A read failed on replicas."""

    data_retrieved = None


class WriteFailure(CoordinationFailure):
    """A write failed on replicas."""

    write_type = None


class FunctionFailure(RequestExecutionException):
    """A user-defined function failed."""

    keyspace = None
    function = None


class RequestValidationException(DriverException):
    """The server refused the request as invalid."""


class ConfigurationException(RequestValidationException):
    """The request is invalid because of the server's configuration."""


class AlreadyExists(ConfigurationException):
    """The keyspace or table already exists."""

    keyspace = None
    table = None


class InvalidRequest(RequestValidationException):
    """The request is invalid (unknown table, wrong types, ...)."""


class Unauthorized(RequestValidationException):
    """The logged-in role lacks a permission."""


class AuthenticationFailed(DriverException):
    """The credentials were refused or are missing."""


class OperationTimedOut(DriverException):
    """The client-side timeout passed before an answer (or connecting took too long)."""


class UnsupportedOperation(DriverException):
    """The operation is not supported by this driver or server."""


class BindError(DriverException, TypeError):
    """Bound values do not fit the statement: wrong count, wrong type, unknown name, text
    that is not valid Unicode. Raised before anything is sent. A TypeError, as the DataStax
    driver's binding errors are."""

    kind = "BindError"


class InvalidHandle(DriverException):
    """An object was used after it was shut down or closed: a request on a shut-down
    session (or its cluster), the next page of a result whose session was shut down, a
    prepared statement executed on a session that did not prepare it. Nothing was sent;
    the C ABI's ``CQLB_INVALID_HANDLE``."""

    kind = "InvalidHandle"


class InvalidArgument(DriverException, ValueError):
    """An argument or configuration value is invalid."""


class WouldDeadlock(DriverException):
    """Waiting for a result was asked for on a driver thread (inside a callback), where it
    could wait forever."""


class ForkedProcess(DriverException):
    """The driver was started in a parent process and cannot be used after fork(); create the
    Cluster in the child."""


from .util import UNSET_VALUE  # noqa: E402  (re-exported, as cassandra.query does)

__all__ = [
    "ConsistencyLevel", "ProtocolVersion", "DriverException", "RequestExecutionException",
    "Unavailable", "Timeout", "ReadTimeout", "WriteTimeout", "CoordinationFailure",
    "ReadFailure", "WriteFailure", "FunctionFailure", "RequestValidationException",
    "ConfigurationException", "AlreadyExists", "InvalidRequest", "Unauthorized",
    "AuthenticationFailed", "OperationTimedOut", "UnsupportedOperation", "BindError",
    "InvalidArgument", "InvalidHandle", "WouldDeadlock", "ForkedProcess", "UNSET_VALUE",
]
