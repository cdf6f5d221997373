"""Live progress of a whole series: the series page's WebSocket receives its rows' fragment each time a row
changes, or a render of one of its rows reports progress (the consumer also listens to those jobs' groups).

A render's progress alone (a "job.progress" event) is pushed as that row's `publishing/_row_progress.html`, with no
read: access is re-checked as the job page's socket does it (renders.consumers.still_member).
"""

import functools
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from accounts.access import has_role
from accounts.roles import Action, roles_for
from publishing import selectors
from publishing.actions import series_group
from renders.actions import job_group
from renders.consumers import CLOSE_NO_ACCESS, csrf_token_for, refuse, still_member


class SeriesProgressConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        series = await database_sync_to_async(selectors.series_for_member)(self.scope["user"], self.public_id)
        if series is None:  # anonymous, other workspace or unknown: indistinguishable on purpose
            await self.close(code=CLOSE_NO_ACCESS)
            return
        self.workspace_id = series.workspace_id
        self.checked_at = time.monotonic()
        self.rows_of_jobs: dict[str, int] = {}  # a running render's public id -> its row's number, as last shown
        self.groups_joined: set[str] = set()
        await self._join(series_group(series))
        await self.accept()
        await self.send_status()  # a (re)connecting page catches up at once

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", set()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def series_changed(self, event: dict) -> None:
        await self.send_status()

    async def job_changed(self, event: dict) -> None:
        await self.send_status()

    async def job_progress(self, event: dict) -> None:
        number = self.rows_of_jobs.get(event["job"])
        if number is None:  # a render this page has not shown yet: the whole status
            await self.send_status()
        elif await still_member(self, self.workspace_id):
            await self.send(text_data=row_progress_fragment(number, event["job"], event["stage"], event["percent"]))

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def send_status(self) -> None:
        if getattr(self, "refused", False):
            return
        checked_at = time.monotonic()
        rendered = await database_sync_to_async(self._render_status)()
        if rendered is None:  # no longer a member (or the series is gone): this socket hears nothing more
            await refuse(self)
            return
        self.checked_at = checked_at
        html, rows_of_jobs, jobs = rendered
        self.rows_of_jobs = rows_of_jobs
        # Follow the renders running now (percent, stage); stop following those that ended.
        wanted = {job_group(job) for job in jobs}
        for group in wanted - self.groups_joined:
            await self._join(group)
        for group in {g for g in self.groups_joined if g.startswith("job-")} - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)
        await self.send(text_data=html)

    def _render_status(self) -> tuple[str, dict[str, int], list] | None:
        series = selectors.series_for_member(self.scope["user"], self.public_id)
        if series is None:
            return None
        rows = list(selectors.rows_of(series))
        context = {
            "series": series, "rows": rows, "summary": selectors.summary(rows), "live": True,
            "csrf_token": csrf_token_for(self.scope),
            "can_write": has_role(series.workspace, self.scope["user"], roles_for(Action.WRITE)),
        }  # fmt: skip
        running = [row for row in rows if row.job is not None and not row.job.is_finished]
        html = render_to_string("publishing/_series_status.html", context)
        return html, {str(row.job.public_id): row.number for row in running}, [row.job for row in running]


@functools.lru_cache(maxsize=1024)  # the same fragment for every watcher of the series
def row_progress_fragment(number: int, job_id: str, stage: str, percent: int) -> str:
    context = {"number": number, "job_id": job_id, "stage": stage, "percent": percent, "oob": True}
    return render_to_string("publishing/_row_progress.html", context).strip()
