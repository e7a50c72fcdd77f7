"""Query functions, named as in ``cassandra.cqlengine.functions``."""

import datetime
import uuid
from typing import Any, Tuple, Union

__all__ = ["Token", "MinTimeUUID", "MaxTimeUUID"]

# 100-ns intervals between the UUID epoch (1582-10-15) and the Unix epoch.
_UUID_EPOCH_OFFSET = 0x01B21DD213814000
# The clock-and-node halves Cassandra gives the smallest and the largest timeuuid of an instant.
_MIN_LSB = 0x8080808080808080
_MAX_LSB = 0x7F7F7F7F7F7F7F7F


class Token:
    """The token of a partition key, for token-range filters:
    ``Model.objects.filter(pk__token__gt=Token(key_part, ...))``. The server computes it:
    the key's values are bound, never interpolated."""

    def __init__(self, *values: Any):
        if len(values) == 1 and isinstance(values[0], (list, tuple)):
            values = tuple(values[0])
        self.value: Tuple[Any, ...] = tuple(values)

    def __repr__(self):
        return f"Token{self.value!r}"


def _millis(t: Union[datetime.datetime, int, float]) -> int:
    if isinstance(t, datetime.datetime):
        if t.tzinfo is None:
            t = t.replace(tzinfo=datetime.timezone.utc)
        return int(t.timestamp() * 1000)
    if isinstance(t, (int, float)) and not isinstance(t, bool):
        return int(t * 1000)
    raise TypeError(f"a datetime or seconds since the epoch, not {t!r}")


def _timeuuid(ticks: int, lsb: int) -> uuid.UUID:
    msb = ((ticks & 0xFFFFFFFF) << 32) | (((ticks >> 32) & 0xFFFF) << 16) | 0x1000 | ((ticks >> 48) & 0x0FFF)
    return uuid.UUID(int=(msb << 64) | lsb)


def MinTimeUUID(t: Union[datetime.datetime, int, float]) -> uuid.UUID:
    """The smallest timeuuid of instant `t` (a datetime, naive = UTC, or seconds since the
    epoch), as Cassandra's ``minTimeuuid``: for ``col__gte=MinTimeUUID(start)``."""
    return _timeuuid(_millis(t) * 10_000 + _UUID_EPOCH_OFFSET, _MIN_LSB)


def MaxTimeUUID(t: Union[datetime.datetime, int, float]) -> uuid.UUID:
    """The largest timeuuid of the millisecond of `t`, as Cassandra's ``maxTimeuuid``: for
    ``col__lte=MaxTimeUUID(end)``."""
    return _timeuuid(_millis(t) * 10_000 + 9_999 + _UUID_EPOCH_OFFSET, _MAX_LSB)
