"""cqlengine: the object mapper, named as in ``cassandra.cqlengine``. Python describes the
models; cqlbridge's core renders and runs their CQL (quoted identifiers, bound values,
prepared statements)."""

from .. import DriverException

# Compaction strategies, as cqlengine names them.
SizeTieredCompactionStrategy = "SizeTieredCompactionStrategy"
LeveledCompactionStrategy = "LeveledCompactionStrategy"
TimeWindowCompactionStrategy = "TimeWindowCompactionStrategy"
UnifiedCompactionStrategy = "UnifiedCompactionStrategy"

# Cache settings of older cqlengine versions.
CACHING_ALL = "ALL"
CACHING_KEYS_ONLY = "KEYS_ONLY"
CACHING_ROWS_ONLY = "ROWS_ONLY"
CACHING_NONE = "NONE"


class CQLEngineException(DriverException):
    """Base of the mapper's exceptions."""


class ValidationError(CQLEngineException):
    """A model value is invalid; nothing was sent."""
