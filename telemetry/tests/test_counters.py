"""Counting into the database: rows per series, mistakes refused, a failure never breaks the caller."""

import pytest
from django.db import connection, transaction

from telemetry import counters
from telemetry.models import Counter

pytestmark = pytest.mark.django_db


def test_counts_add_up_in_one_row_per_series():
    counters.increment(counters.STORAGE_ERRORS, operation="save")
    counters.increment(counters.STORAGE_ERRORS, operation="save")
    counters.increment(counters.STORAGE_ERRORS, operation="open")
    counters.increment(counters.FLAGGED_UNITS, 0)  # nothing to count: no row written
    rows = dict(Counter.objects.values_list("labels", "value"))
    assert rows == {"operation=save": 2, "operation=open": 1}


def test_a_count_survives_the_callers_rollback_only_when_made_outside_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        counters.increment(counters.FLAGGED_UNITS)
        raise RuntimeError("the work failed")
    assert not Counter.objects.exists()  # counted inside: gone with it (count where the failure is caught)


def test_wrong_labels_and_kinds_are_refused():
    with pytest.raises(ValueError, match="takes the labels"):
        counters.increment(counters.STORAGE_ERRORS, stage="x")
    with pytest.raises(ValueError, match="characters"):
        counters.increment(counters.STORAGE_ERRORS, operation="a,b=c")
    with pytest.raises(ValueError, match="is a histogram"):
        counters.increment(counters.STAGE_SECONDS, stage="narrate")
    with pytest.raises(ValueError, match="is a counter"):
        counters.observe(counters.FLAGGED_UNITS, 1.0)


def test_a_database_error_while_counting_is_logged_and_the_caller_goes_on(caplog):
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {Counter._meta.db_table}")
    with transaction.atomic():
        counters.increment(counters.FLAGGED_UNITS)  # no table: logged, skipped
        assert connection.in_atomic_block and not connection.needs_rollback  # the caller's transaction is fine
    assert "could not count omnivibe_flagged_units" in caplog.text
