"""Value types for CQL types that Python's standard library lacks or cannot hold exactly.

Named as in the DataStax driver's ``cassandra.util``: ``Date`` (any CQL date, also outside
``datetime.date``'s years 1-9999), ``Time`` (nanosecond precision), ``Duration``.
"""

import datetime
from collections import namedtuple

__all__ = ["Date", "Time", "Duration", "UNSET_VALUE"]

_EPOCH_DATE = datetime.date(1970, 1, 1)
_NANOS_PER_DAY = 86_400 * 1_000_000_000


class Date:
    """A CQL ``date``: days since 1970-01-01 (negative before)."""

    __slots__ = ("days_from_epoch",)

    def __init__(self, value):
        if isinstance(value, Date):
            value = value.days_from_epoch
        elif isinstance(value, datetime.datetime):
            value = (value.date() - _EPOCH_DATE).days
        elif isinstance(value, datetime.date):
            value = (value - _EPOCH_DATE).days
        elif isinstance(value, str):
            value = (datetime.date.fromisoformat(value) - _EPOCH_DATE).days
        elif not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"Date takes a date, an ISO string or days since the epoch, not {value!r}")
        self.days_from_epoch = value

    def date(self):
        """The ``datetime.date`` (raises ValueError outside years 1-9999)."""
        try:
            return _EPOCH_DATE + datetime.timedelta(days=self.days_from_epoch)
        except OverflowError:
            raise ValueError(f"{self.days_from_epoch} days from the epoch is outside datetime.date's range") from None

    def __eq__(self, other):
        if isinstance(other, Date):
            return self.days_from_epoch == other.days_from_epoch
        if isinstance(other, datetime.date) and not isinstance(other, datetime.datetime):
            return self.days_from_epoch == (other - _EPOCH_DATE).days
        return NotImplemented

    def __lt__(self, other):
        return self.days_from_epoch < Date(other).days_from_epoch

    def __hash__(self):
        return hash(self.days_from_epoch)

    def __repr__(self):
        return f"Date({self.days_from_epoch})"

    def __str__(self):
        try:
            return self.date().isoformat()
        except ValueError:
            return str(self.days_from_epoch)


class Time:
    """A CQL ``time``: nanoseconds since midnight (``datetime.time`` stops at microseconds)."""

    __slots__ = ("nanosecond_time",)

    def __init__(self, value):
        if isinstance(value, Time):
            value = value.nanosecond_time
        elif isinstance(value, datetime.time):
            value = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000_000 + value.microsecond * 1000
        elif isinstance(value, str):
            value = Time(datetime.time.fromisoformat(value)).nanosecond_time
        elif not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"Time takes a time, an ISO string or nanoseconds since midnight, not {value!r}")
        if not 0 <= value < _NANOS_PER_DAY:
            raise ValueError(f"{value} ns is not a time of day")
        self.nanosecond_time = value

    @property
    def hour(self):
        return self.nanosecond_time // 3_600_000_000_000

    @property
    def minute(self):
        return self.nanosecond_time // 60_000_000_000 % 60

    @property
    def second(self):
        return self.nanosecond_time // 1_000_000_000 % 60

    @property
    def nanosecond(self):
        return self.nanosecond_time % 1_000_000_000

    def time(self):
        """The ``datetime.time`` (nanoseconds truncated to microseconds)."""
        return datetime.time(self.hour, self.minute, self.second, self.nanosecond // 1000)

    def __eq__(self, other):
        if isinstance(other, Time):
            return self.nanosecond_time == other.nanosecond_time
        if isinstance(other, datetime.time):
            return self.nanosecond_time == Time(other).nanosecond_time
        return NotImplemented

    def __lt__(self, other):
        return self.nanosecond_time < Time(other).nanosecond_time

    def __hash__(self):
        return hash(self.nanosecond_time)

    def __repr__(self):
        return f"Time({self.nanosecond_time})"

    def __str__(self):
        return f"{self.hour:02}:{self.minute:02}:{self.second:02}.{self.nanosecond:09}"


class Duration(namedtuple("Duration", ["months", "days", "nanoseconds"])):
    """A CQL ``duration``: months, days and nanoseconds (all of one sign)."""

    __slots__ = ()

    def __new__(cls, months=0, days=0, nanoseconds=0):
        return super().__new__(cls, months, days, nanoseconds)


class _Unset:
    """Leaves a bound column as it is (``UNSET_VALUE``); distinct from ``None`` (null)."""

    __slots__ = ()
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self):
        return "UNSET_VALUE"

    def __reduce__(self):
        return (_Unset, ())


UNSET_VALUE = _Unset()
