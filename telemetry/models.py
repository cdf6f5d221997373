from django.db import models


class Counter(models.Model):
    """One series of one of our Prometheus counters or histograms (telemetry/counters.py), kept in the database:
    web and worker are separate processes, often on separate machines, and /metrics reads these rows."""

    name = models.CharField(max_length=100)
    labels = models.CharField(max_length=300, blank=True)  # "key=value,key=value", keys sorted
    value = models.FloatField(default=0.0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "labels"], name="one_row_per_series")]

    def __str__(self) -> str:
        return f"{self.name}{{{self.labels}}} {self.value:g}"
