"""How a workspace's scripts did once their videos were published: the numbers behind "similar to your best
performers" (scripts.memory) and the examples the AI writer is shown (writer.services).

Publishing measures videos but sits above scripts (and the writer), so scripts asks through a signal that
publishing answers (the way accounts asks billing for seats): whoever reads past scripts gets the same numbers
without each interface having to pass them down.
"""

from dataclasses import dataclass

from django.dispatch import Signal

# Sent with `workspace_id`; each receiver returns {script id: Performance} for the scripts it measured.
performance_wanted = Signal()


@dataclass(frozen=True)
class Performance:
    """A script's published videos added up, each at its latest figures."""

    views: int
    watch_minutes: float | None  # None: no video of it has watch time (YouTube Analytics not fetched)
    videos: int

    @property
    def rank(self) -> tuple[int, float]:
        """Bigger is better: views, then watch time."""
        return self.views, self.watch_minutes or 0.0


def performance_of(workspace_id: int) -> dict[int, Performance]:
    """Every measured script of the workspace (a script with no published video is absent)."""
    measured: dict[int, Performance] = {}
    for _, answer in performance_wanted.send(sender=Performance, workspace_id=workspace_id):
        measured.update(answer or {})
    return measured


def best_first(script_ids: list[int], measured: dict[int, Performance]) -> list[int]:
    """The measured ones first, best first; the others after them, in their order (a stable sort)."""
    return sorted(
        script_ids,
        key=lambda pk: (pk not in measured, tuple(-value for value in measured[pk].rank) if pk in measured else ()),
    )
