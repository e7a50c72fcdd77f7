"""cqlengine: the object mapper, named as in ``cassandra.cqlengine``. Python describes the
models; cqlbridge's core renders and runs their CQL (quoted identifiers, bound values,
prepared statements)."""

import re

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


def _name_of_class(class_name):
    """The table or type name cqlengine derives from a class name: ``_`` between a lower-case
    letter and a capital (``UserVisits`` → ``user_visits``, ``HTTPLog`` → ``httplog``), the last
    48 characters, lower case, leading underscores dropped."""
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", class_name)[-48:].lower()
    return name.lstrip("_")


class CQLEngineException(DriverException):
    """Base of the mapper's exceptions."""


class ValidationError(CQLEngineException):
    """A model value is invalid; nothing was sent."""
