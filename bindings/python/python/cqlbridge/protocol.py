"""Server error classes that the DataStax driver keeps in ``cassandra.protocol``."""

from . import DriverException, RequestExecutionException, RequestValidationException


class ErrorMessage(DriverException):
    """Base of errors the server sent that have no richer class."""


class SyntaxException(RequestValidationException):
    """The statement does not parse."""


class ServerError(ErrorMessage):
    """An internal server error."""


class ProtocolException(ErrorMessage):
    """The server saw a protocol violation."""


class TruncateError(RequestExecutionException):
    """A truncate failed."""


class OverloadedErrorMessage(RequestExecutionException):
    """The coordinator is overloaded."""


class IsBootstrappingErrorMessage(RequestExecutionException):
    """The coordinator is still bootstrapping."""
