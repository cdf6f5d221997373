"""Our Prometheus counters and histograms, counted where things happen and kept in the database.

Web, render workers and webhook workers are separate processes, often on separate machines: a counter in one
process's memory would be invisible to the web process that answers /metrics. So each count is one UPDATE of a
`Counter` row (a row per series; a histogram keeps a row per bucket and one for its sum), and /metrics
(omnivibe/metrics.py) reads the rows at each scrape (`families`). Counts are rare events (a stage ended, a
webhook failed), never per request. A count made inside a transaction that rolls back is lost with it: count
failures where they are caught, outside the work that failed. Counting never breaks the caller: a database
error is logged and the count skipped.
"""

import logging
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

from telemetry.models import Counter

logger = logging.getLogger(__name__)
_LABEL_VALUE = re.compile(r"[\w.:/+-]*")


@dataclass(frozen=True)
class Series:
    name: str  # a counter's without "_total" (the exposition adds it)
    help: str
    labels: tuple[str, ...] = ()
    buckets: tuple[float, ...] = ()  # upper bounds: a histogram when set
    always: tuple[tuple[str, ...], ...] = ((),)  # label values shown at 0 before anything is counted


STAGE_SECONDS = Series(
    "omnivibe_stage_duration_seconds",
    "Wall time of finished render stages",
    ("stage",),
    buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1200),
    always=(),
)
VERIFICATION_RETRIES = Series(
    "omnivibe_verification_retries", "Narration units synthesised again because they were heard wrong"
)
FLAGGED_UNITS = Series("omnivibe_flagged_units", "Narration units that never passed verification (flagged on the job)")
WEBHOOK_FAILURES = Series(
    "omnivibe_webhook_failures",
    "Webhook delivery attempts that failed: refused (address not allowed), http (an error status), network",
    ("reason",),
    always=(("refused",), ("http",), ("network",)),
)
STORAGE_ERRORS = Series(
    "omnivibe_storage_errors", "Errors writing or reading stored files, by operation", ("operation",), always=()
)
PUBLISH_FAILURES = Series(  # for the publishing feature (YouTube, webhook targets): nothing counts it yet
    "omnivibe_publish_failures", "Publishing attempts that failed, by target", ("target",), always=()
)
ALL = (STAGE_SECONDS, VERIFICATION_RETRIES, FLAGGED_UNITS, WEBHOOK_FAILURES, STORAGE_ERRORS, PUBLISH_FAILURES)


def increment(series: Series, amount: float = 1.0, **labels: str) -> None:
    if series.buckets:
        raise ValueError(f"{series.name} is a histogram: observe() it")
    if amount:
        _add(series.name, _checked(series, labels), amount)


def observe(series: Series, value: float, **labels: str) -> None:
    """One observation of a histogram: its bucket's row and the sum's (cumulated at scrape time)."""
    if not series.buckets:
        raise ValueError(f"{series.name} is a counter: increment() it")
    labels = _checked(series, labels)
    bound = next((bound for bound in series.buckets if value <= bound), float("inf"))
    _add(f"{series.name}_bucket", {**labels, "le": floatToGoString(bound)}, 1.0)
    _add(f"{series.name}_sum", labels, value)


def families() -> Iterator[Metric]:
    """Every series of ours, read from the database, as Prometheus metric families."""
    rows: dict[str, dict[str, float]] = defaultdict(dict)
    for name, labels, value in Counter.objects.values_list("name", "labels", "value"):
        rows[name][labels] = value
    for series in ALL:
        if series.buckets:
            yield _histogram(series, rows[f"{series.name}_bucket"], rows[f"{series.name}_sum"])
            continue
        family = CounterMetricFamily(series.name, series.help, labels=series.labels)
        found = {_values(series, key): value for key, value in rows[series.name].items()}
        for values in series.always:
            found.setdefault(values, 0.0)  # rate() and alerts need the series before the first count
        for values, value in sorted(found.items()):
            family.add_metric(list(values), value)
        yield family


def _histogram(series: Series, buckets: dict[str, float], sums: dict[str, float]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(series.name, series.help, labels=series.labels)
    counts: dict[tuple[str, ...], dict[str, float]] = defaultdict(dict)
    for key, value in buckets.items():
        counts[_values(series, key)][_parse(key)["le"]] = value
    for values, by_bound in sorted(counts.items()):
        cumulative, total = [], 0.0
        for bound in [*map(floatToGoString, series.buckets), "+Inf"]:
            total += by_bound.get(bound, 0.0)
            cumulative.append((bound, total))
        key = _key(dict(zip(series.labels, values, strict=True)))
        family.add_metric(list(values), cumulative, sum_value=sums.get(key, 0.0))
    return family


def _checked(series: Series, labels: dict[str, str]) -> dict[str, str]:
    if set(labels) != set(series.labels):
        raise ValueError(f"{series.name} takes the labels {series.labels}, not {tuple(labels)}")
    if bad := [value for value in labels.values() if not _LABEL_VALUE.fullmatch(str(value))]:
        raise ValueError(f"{series.name}: label value {bad[0]!r} has characters other than letters, digits, ._:/+-")
    return {label: str(value) for label, value in labels.items()}


def _key(labels: dict[str, str]) -> str:
    return ",".join(f"{label}={value}" for label, value in sorted(labels.items()))


def _values(series: Series, key: str) -> tuple[str, ...]:
    labels = _parse(key)
    return tuple(labels[label] for label in series.labels)


def _parse(key: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in key.split(",")) if key else {}


def _add(name: str, labels: dict[str, str], amount: float) -> None:
    key = _key(labels)
    rows = Counter.objects.filter(name=name, labels=key)
    try:
        for _ in range(2):  # a second time when another process created the row between our two statements
            try:
                with transaction.atomic():  # a savepoint: a failure here never breaks the caller's transaction
                    if rows.update(value=F("value") + amount) or Counter.objects.create(
                        name=name, labels=key, value=amount
                    ):
                        return
            except IntegrityError:
                continue
    except DatabaseError:
        logger.warning("could not count %s{%s}", name, key, exc_info=True)
