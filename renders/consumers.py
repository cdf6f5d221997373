"""Live progress: the job page's WebSocket receives the status fragment each time the job changes.

Many may watch one job (a shared link on a big screen, a team): the watchers of one job in one web process, signed
in as the same user, read each change once (the job, their access and what they may do: what is shown is still
theirs alone); each still renders its own fragment, with the CSRF token of its own browser.

Progress alone (a "job.progress" event: stage and percent, renders/actions.py) is pushed as it came, as the small
`renders/_job_progress.html` fragment: no read of the job, no CSRF token, nothing of the watcher's own. Access is
then re-checked only when the socket's last check is older than ACCESS_RECHECK_SECONDS (see there).
"""

import asyncio
import functools
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from accounts.access import is_member
from renders.actions import job_group
from renders.selectors import job_for_member
from renders.suggestions import status_context

READ_KEPT_SECONDS = 10.0  # a change's shared read is dropped after this: watchers get it within milliseconds
# Security trade-off, on purpose: a progress event (a stage name and a number) re-checks the watcher's membership
# only when its socket last checked longer ago than this, instead of on every event (a database hop per watcher per
# event was most of the cost of 500 watchers). So someone removed from the workspace may go on seeing the percent of
# a job they could already see for up to this long; every full change (status, report) still re-reads the job
# through the access rule at once, and a failed check closes the socket.
ACCESS_RECHECK_SECONDS = 30.0
CHECK_SHARED_SECONDS = 1.0  # sockets of one user and workspace whose checks fall due together share one query
CLOSE_NO_ACCESS = 4404  # as on connecting: anonymous, other workspace and unknown are indistinguishable
_reads: dict[tuple[str, object, str], asyncio.Future] = {}  # (job, user, change) -> its read, in this process
_checks: dict[tuple[object, int], asyncio.Future] = {}  # (user, workspace) -> a membership check, in this process


class JobProgressConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        job = await database_sync_to_async(job_for_member)(
            self.scope["user"], self.scope["url_route"]["kwargs"]["public_id"]
        )
        if job is None:  # anonymous, other workspace or unknown: indistinguishable on purpose
            await self.close(code=CLOSE_NO_ACCESS)
            return
        self.public_id = str(job.public_id)
        self.workspace_id = job.workspace_id
        self.checked_at = time.monotonic()
        self.group = job_group(job)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_status()  # a (re)connecting page catches up at once

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def job_changed(self, event: dict) -> None:
        await self.send_status(event.get("change"))

    async def job_progress(self, event: dict) -> None:
        if await still_member(self, self.workspace_id):
            await self.send(text_data=progress_fragment(event["stage"], event["percent"]))

    async def send_status(self, change: str | None = None) -> None:
        if getattr(self, "refused", False):
            return
        checked_at = time.monotonic()
        context = await self._shared_read(change) if change else await database_sync_to_async(self._read)()
        if context is None:  # no longer a member (or the job is gone): this socket hears nothing more
            await refuse(self)
            return
        self.checked_at = checked_at
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


@functools.lru_cache(maxsize=1024)  # a few stages by 101 percents
def progress_fragment(stage: str, percent: int) -> str:
    """The stage and progress bar alone, swapped in by id: the same for every watcher, nothing read to make it."""
    return render_to_string("renders/_job_progress.html", {"stage": stage, "percent": percent, "oob": True}).strip()


async def still_member(consumer: AsyncWebsocketConsumer, workspace_id: int) -> bool:
    """True while the consumer's user may still watch (checked at most every ACCESS_RECHECK_SECONDS, the checks of
    one user and workspace that fall due within CHECK_SHARED_SECONDS of each other sharing one query); closes the
    socket and returns False once they may not. The consumer keeps its last check in `checked_at`."""
    if getattr(consumer, "refused", False):
        return False
    now = time.monotonic()
    if now - consumer.checked_at < ACCESS_RECHECK_SECONDS:
        return True
    user = consumer.scope["user"]
    key = (user.pk, workspace_id)
    if key not in _checks:
        _checks[key] = asyncio.ensure_future(database_sync_to_async(is_member)(user, workspace_id))
        asyncio.get_running_loop().call_later(CHECK_SHARED_SECONDS, _checks.pop, key, None)
    if not await asyncio.shield(_checks[key]):
        await refuse(consumer)
        return False
    consumer.checked_at = now
    return True


async def refuse(consumer: AsyncWebsocketConsumer) -> None:
    """Close the socket of someone who may no longer watch; events still on their way to it are dropped."""
    if not getattr(consumer, "refused", False):
        consumer.refused = True
        await consumer.close(code=CLOSE_NO_ACCESS)


def csrf_token_for(scope: dict) -> str:
    """A token for a pushed fragment's forms (Cancel, Retry, Regenerate…), masked from the page's CSRF cookie
    the way a page render masks it; without one those buttons would get 403."""
    secret = scope.get("cookies", {}).get(settings.CSRF_COOKIE_NAME)
    if not secret:
        return ""
    request = HttpRequest()
    request.META["CSRF_COOKIE"] = secret  # where CsrfViewMiddleware puts the cookie's secret for get_token
    return get_token(request)
