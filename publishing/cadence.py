"""A posting cadence in words ("weekdays at 17:00 Europe/Paris", "daily at 9:30 UTC", "mon, wed, fri at 18:00
America/New_York") and the publish times it gives. Plain Python: no Django."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
GROUPS = {"daily": set(range(7)), "every day": set(range(7)), "weekdays": set(range(5)), "weekends": {5, 6}}
PATTERN = re.compile(r"^\s*(?P<days>.+?)\s+at\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})\s+(?P<zone>[\w/+-]+)\s*$", re.I)


class CadenceError(ValueError):
    """The cadence cannot be read; the message says what a good one looks like."""


@dataclass(frozen=True)
class Cadence:
    weekdays: frozenset[int]  # Monday 0
    at: time
    zone: ZoneInfo

    def slots(self, after: datetime) -> Iterator[datetime]:
        """Every publish time of the cadence after `after` (aware), in order, in UTC."""
        day = after.astimezone(self.zone).date()
        while True:
            if day.weekday() in self.weekdays:
                # The wall-clock time in the zone (a time a DST change skips is moved by zoneinfo's fold rules).
                moment = datetime.combine(day, self.at, tzinfo=self.zone).astimezone(UTC)
                if moment > after:
                    yield moment
            day += timedelta(days=1)


def parse(text: str) -> Cadence:
    match = PATTERN.match(text[:200])
    example = "say when like “weekdays at 17:00 Europe/Paris” or “mon, wed, fri at 9:30 UTC”"
    if not match:
        raise CadenceError(f"Cannot read the cadence {text[:80]!r}: {example}.")
    words = match["days"].strip().lower()
    if words in GROUPS:
        weekdays = GROUPS[words]
    else:
        names = [name.strip()[:3] for name in re.split(r"[,\s]+(?:and\s+)?", words) if name.strip()]
        unknown = [name for name in names if name not in DAYS]
        if not names or unknown:
            raise CadenceError(f"Unknown day {unknown[0] if unknown else words!r}: {example}.")
        weekdays = {DAYS.index(name) for name in names}
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour > 23 or minute > 59:
        raise CadenceError(f"{hour}:{minute:02d} is not a time of day: {example}.")
    try:
        zone = ZoneInfo(match["zone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise CadenceError(f"Unknown time zone {match['zone']!r}: use a name like Europe/Paris or UTC.") from None
    return Cadence(frozenset(weekdays), time(hour, minute), zone)
