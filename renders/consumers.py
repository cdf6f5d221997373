"""Live progress: the job page's WebSocket receives the status fragment each time the job changes."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from renders.actions import job_group
from renders.selectors import job_for_member
from renders.suggestions import status_context


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
        await self.send_status()

    async def send_status(self) -> None:
        html = await database_sync_to_async(self._render_status)()
        if html is not None:
            await self.send(text_data=html)

    def _render_status(self) -> str | None:
        job = job_for_member(self.scope["user"], self.public_id)
        if job is None:
            return None
        context = {"live": True, "csrf_token": csrf_token_for(self.scope), **status_context(job, self.scope["user"])}
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
