"""Live progress of a whole series: the series page's WebSocket receives its rows' fragment each time a row
changes, or a render of one of its rows reports progress (the consumer also listens to those jobs' groups)."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.template.loader import render_to_string

from accounts.access import has_role
from accounts.roles import Action, roles_for
from publishing import selectors
from publishing.actions import series_group
from renders.actions import job_group
from renders.consumers import csrf_token_for


class SeriesProgressConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.public_id = str(self.scope["url_route"]["kwargs"]["public_id"])
        series = await database_sync_to_async(selectors.series_for_member)(self.scope["user"], self.public_id)
        if series is None:  # anonymous, other workspace or unknown: indistinguishable on purpose
            await self.close(code=4404)
            return
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
        await self.send_status()

    async def _join(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined.add(group)

    async def send_status(self) -> None:
        rendered = await database_sync_to_async(self._render_status)()
        if rendered is None:
            return
        html, jobs = rendered
        # Follow the renders running now (percent, stage); stop following those that ended.
        wanted = {job_group(job) for job in jobs}
        for group in wanted - self.groups_joined:
            await self._join(group)
        for group in {g for g in self.groups_joined if g.startswith("job-")} - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)
        await self.send(text_data=html)

    def _render_status(self) -> tuple[str, list] | None:
        series = selectors.series_for_member(self.scope["user"], self.public_id)
        if series is None:
            return None
        rows = list(selectors.rows_of(series))
        context = {
            "series": series, "rows": rows, "summary": selectors.summary(rows), "live": True,
            "csrf_token": csrf_token_for(self.scope),
            "can_write": has_role(series.workspace, self.scope["user"], roles_for(Action.WRITE)),
        }  # fmt: skip
        running = [row.job for row in rows if row.job is not None and not row.job.is_finished]
        return render_to_string("publishing/_series_status.html", context), running
