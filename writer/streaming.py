"""A draft written in a thread, heard piece by piece: what the Studio streams into the editor (over SSE).

The model's call runs in its own thread and touches no database; the request's side reads its events
(`next_event`) and records the tokens when the draft ends (`finish`), on the request's own connection. A reader
that goes away cancels the run: the thread stops at the next piece and the tokens spent so far are recorded.
"""

import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from accounts.models import Workspace
from mediakit.writer.drafts import DraftBrief, write_draft
from mediakit.writer.providers import ProviderConfig, Usage
from writer.context import writer_context
from writer.services import record_spending

END = ("done", "failed")


class _Cancelled(Exception):
    pass


@dataclass
class DraftRun:
    workspace: Workspace
    user: Any
    brief: DraftBrief
    config: ProviderConfig
    usage: Usage = field(default_factory=Usage)
    events: queue.Queue = field(default_factory=queue.Queue)
    cancelled: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)  # the thread is done: usage is final
    recorded: bool = False

    def start(self) -> "DraftRun":
        """The caller has checked the plan's allowance (billing.limits.check_llm_allowance)."""
        threading.Thread(target=self._write, daemon=True, name="writer-draft").start()
        return self

    def _write(self) -> None:
        def heard(piece: str) -> None:
            if self.cancelled.is_set():
                raise _Cancelled()
            self.events.put(("text", piece))

        try:
            draft = write_draft(
                self.config, self.brief, self.usage, max_tokens=writer_context().max_output_tokens, on_text=heard,
                on_retry=lambda reason: self.events.put(("restart", reason)),
            )  # fmt: skip
        except Exception as error:  # every failure ends the stream with its plain message
            self.ended.set()
            self.events.put(("failed", error))
        else:
            self.ended.set()
            self.events.put(("done", draft))

    def next_event(self) -> tuple[str, Any]:
        """("text", piece), ("restart", reason), then ("done", Draft) or ("failed", exception). Blocks."""
        return self.events.get()

    def finish(self) -> None:
        """Record the tokens spent (once), on the calling thread's database connection."""
        if not self.recorded:
            self.recorded = True
            record_spending(self.workspace, self.user, self.config, "draft", self.usage)

    def cancel(self) -> None:
        self.cancelled.set()
