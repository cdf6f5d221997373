"""Live progress: the job page's WebSocket receives the status fragment each time the job changes.

Many may watch one job (a shared link on a big screen, a team): the watchers of one job in one web process, signed
in as the same user, read each change once (the job, their access and what they may do: what is shown is still
theirs alone); each still renders its own fragment, with the CSRF token of its own browser.
"""

import asyncio

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from renders.actions import job_group
from renders.selectors import job_for_member
from renders.suggestions import status_context

READ_KEPT_SECONDS = 10.0  # a change's shared read is dropped after this: watchers get it within milliseconds
_reads: dict[tuple[str, object, str], asyncio.Future] = {}  # (job, user, change) -> its read, in this process


class JobProgressConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        job = await database_sync_to_async(job_for_member)(
            self.scope["user"], self.scope["url_route"]["kwargs"]["public_id"]
        )
        if job is None:  # anonymous, other workspace or unknown: indistinguishable on purpose
            await self.close(code=4404)
            return
        self.public_id = str(job.public_id)
        self.group = job_group(job)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_status()  # a (re)connecting page catches up at once

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def job_changed(self, event: dict) -> None:
        await self.send_status(event.get("change"))

    async def send_status(self, change: str | None = None) -> None:
        context = await self._shared_read(change) if change else await database_sync_to_async(self._read)()
        if context is not None:
            await self.send(text_data=await database_sync_to_async(self._render)(context))

    def _shared_read(self, change: str) -> asyncio.Future:
        key = (self.public_id, self.scope["user"].pk, change)
        if key not in _reads:
            _reads[key] = asyncio.ensure_future(database_sync_to_async(self._read)())
            asyncio.get_running_loop().call_later(READ_KEPT_SECONDS, _reads.pop, key, None)
        return asyncio.shield(_reads[key])  # one watcher leaving cancels its wait, not the others' read

    def _read(self) -> dict | None:
        job = job_for_member(self.scope["user"], self.public_id)
        return None if job is None else status_context(job, self.scope["user"])

    def _render(self, context: dict) -> str:
        context = {"live": True, "csrf_token": csrf_token_for(self.scope), **context}
        return render_to_string("renders/_job_status.html", context)


def csrf_token_for(scope: dict) -> str:
    """A token for a pushed fragment's forms (Cancel, Retry, Regenerate…), masked from the page's CSRF cookie
    the way a page render masks it; without one those buttons would get 403."""
    secret = scope.get("cookies", {}).get(settings.CSRF_COOKIE_NAME)
    if not secret:
        return ""
    request = HttpRequest()
    request.META["CSRF_COOKIE"] = secret  # where CsrfViewMiddleware puts the cookie's secret for get_token
    return get_token(request)
