"""A posting cadence in words and the publish times it gives."""

from datetime import UTC, datetime

import pytest

from publishing.cadence import CadenceError, parse


def test_weekdays_at_five_in_paris_skip_the_weekend_and_follow_summer_time():
    cadence = parse("weekdays at 17:00 Europe/Paris")
    slots = cadence.slots(datetime(2030, 3, 29, 16, 30, tzinfo=UTC))  # Friday 17:30 in Paris: today's has passed
    first, second = next(slots), next(slots)
    assert first == datetime(2030, 4, 1, 15, 0, tzinfo=UTC)  # Monday, summer time (UTC+2)
    assert second == datetime(2030, 4, 2, 15, 0, tzinfo=UTC)


def test_named_days_and_daily():
    slots = parse("mon, wed and fri at 9:30 UTC").slots(datetime(2030, 7, 1, 10, 0, tzinfo=UTC))  # a Monday
    assert [next(slots).strftime("%a %H:%M") for _ in range(3)] == ["Wed 09:30", "Fri 09:30", "Mon 09:30"]
    daily = parse("Daily at 08:00 America/New_York").slots(datetime(2030, 1, 1, tzinfo=UTC))
    assert next(daily) == datetime(2030, 1, 1, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("whenever", "Cannot read the cadence"),
        ("funday at 17:00 UTC", "Unknown day 'fun'"),
        ("daily at 25:00 UTC", "not a time of day"),
        ("daily at 17:00 Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_cadence_that_cannot_be_read_says_how_to_write_one(text, says):
    with pytest.raises(CadenceError, match=says):
        parse(text)
