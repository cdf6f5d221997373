"""The Studio's writer: "Draft with AI", streamed into the editor over SSE, and the rewrite tools on a block
or on the words selected in the editor.

Nothing is saved here: a checked draft or an accepted rewrite goes into the editor and the creator saves it.
The model runs in a thread (writer.streaming); the page reads its pieces as server-sent events through a
`fetch` in static/js/writer.js (the CSP allows no inline script).
"""

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from accounts.access import member_workspace
from accounts.models import Workspace
from accounts.roles import Action, roles_for
from billing.limits import check_llm_allowance
from billing.quota import QuotaExceeded
from mediakit.text.outline import PLATFORMS, OutlineError
from mediakit.text.script import ScriptError
from mediakit.writer.drafts import LANGUAGES, TOOLS, Draft, DraftRefused, SelectionError
from mediakit.writer.providers import ProviderError
from scripts.models import Campaign
from scripts.selectors import campaigns_of
from writer import services
from writer.streaming import END, DraftRun

logger = logging.getLogger(__name__)
WRITERS = roles_for(Action.WRITE)


def writer_panel(workspace: Workspace, *, topic: str = "", campaign: Campaign | None = None) -> dict:
    """What the script editor needs to show the writer: the models on offer and the draft form (its topic and
    campaign filled in when given)."""
    providers = services.providers_on_offer()
    initial = {"topic": topic, "campaign": campaign} if topic else {}
    return {
        "writer_providers": providers,
        "draft_form": DraftForm(workspace=workspace, initial=initial) if providers else None,
        "rewrite_tools": list(TOOLS.items()),
    }


class DraftForm(forms.Form):
    prefix = "ai"  # the outline form on the same page asks some of the same questions

    topic = forms.CharField(max_length=200, help_text="What the video is about, in a few words.")
    platform = forms.ChoiceField(choices=list(PLATFORMS.items()), initial="shorts")
    seconds = forms.IntegerField(label="Length (seconds)", min_value=5, max_value=1800, initial=45)
    tone = forms.CharField(max_length=60, required=False, initial="friendly")
    speakers = forms.CharField(max_length=200, initial="Host", help_text="Names separated by commas, up to four.")
    language = forms.ChoiceField(choices=list(LANGUAGES.items()), initial="en")
    campaign = forms.ModelChoiceField(queryset=None, required=False, empty_label="No campaign",
                                      help_text="Its brand notes and latest scripts guide the writer.")  # fmt: skip
    writer = forms.ChoiceField(label="Model", required=False)

    def __init__(self, *args, workspace: Workspace, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns_of(workspace)
        self.fields["writer"].choices = services.providers_on_offer()


class RewriteForm(forms.Form):
    body = forms.CharField(max_length=20000, strip=False)  # a selection's offsets count from its first character
    scope = forms.ChoiceField(
        choices=[("block", "Block"), ("selection", "Selected words")], initial="block", required=False
    )
    block = forms.IntegerField(
        min_value=1, max_value=500, initial=1, required=False, help_text="Counting speaker lines from the top"
    )
    # Filled by static/js/writer.js from the editor's selection: offsets in characters (code points), and the words.
    selection_start = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    selection_end = forms.IntegerField(min_value=0, required=False, widget=forms.HiddenInput)
    selection_text = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    tool = forms.ChoiceField(choices=list(TOOLS.items()))
    seconds = forms.IntegerField(min_value=1, max_value=600, initial=10, required=False, help_text="For Shorten")
    speakers = forms.CharField(max_length=200, required=False, help_text="For Split: names, comma-separated")
    language = forms.CharField(max_length=20, required=False)

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n")  # as the browser's editor holds it

    def clean(self) -> dict:
        answers = super().clean()
        if answers.get("scope") != "selection" and not answers.get("block"):
            self.add_error("block", "Which block? Count speaker lines from the top.")
        if answers.get("scope") == "selection" and "body" in answers:
            start, end = answers.get("selection_start"), answers.get("selection_end")
            if start is None or end is None or start >= end:
                raise forms.ValidationError("Select the words to rewrite in the editor first.")
            if answers["body"][start:end] != answers.get("selection_text", "").replace("\r\n", "\n"):
                raise forms.ValidationError(
                    "The selection no longer matches the editor's text: select the words again."
                )
        return answers


def _first_error(form: forms.Form) -> str:
    field, errors = next(iter(form.errors.items()))
    label = (form.fields[field].label or field.capitalize()) if field in form.fields else ""
    return f"{label}: {errors[0]}" if label else errors[0]


def _event(name: str, data: object) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _refused(message: str, status: int) -> HttpResponse:
    """A stream that ends at once: the page shows the message, the editor is untouched."""
    return HttpResponse(_event("failed", {"message": message}), status=status, content_type="text/event-stream")


@login_required
@require_POST
def draft_stream(request: HttpRequest) -> HttpResponse:
    workspace = member_workspace(request, roles=WRITERS)
    form = DraftForm(request.POST, workspace=workspace)
    if not form.is_valid():
        return _refused(_first_error(form), 400)
    answers = form.cleaned_data
    try:
        config = services.provider_for(workspace, answers["writer"])
        brief = services.brief_for(
            workspace, topic=answers["topic"], platform=answers["platform"], seconds=answers["seconds"],
            tone=answers["tone"], speakers=answers["speakers"].split(","), language=answers["language"],
            campaign=answers["campaign"],
        )  # fmt: skip
        check_llm_allowance(workspace)
    except services.WriterUnavailable as unavailable:
        return _refused(str(unavailable), 503)
    except (ValueError, OutlineError) as refusal:  # OutlineError is a ValueError too
        return _refused(str(refusal), 400)
    except QuotaExceeded as refused:
        return _refused(refused.message, 402)
    run = DraftRun(workspace, request.user, brief, config).start()
    events = _async_events(run) if isinstance(request, ASGIRequest) else _sync_events(run)
    response = StreamingHttpResponse(events, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a proxy must pass each piece on as it comes
    return response


def _last(run: DraftRun, kind: str, value: object) -> bytes:
    """The closing event, once the tokens are on the ledger."""
    run.finish()
    if kind == "done":
        assert isinstance(value, Draft)
        words = sum(len(block.text.split()) for block in value.blocks)
        return _event("done", {"title": value.title, "body": value.body, "repaired": value.repaired,
                               "words": words, "writer": run.config.label})  # fmt: skip
    if isinstance(value, ProviderError | DraftRefused):
        return _event("failed", {"message": str(value)})
    logger.error("The writer failed", exc_info=value)
    return _event("failed", {"message": "The writer failed unexpectedly; nothing was put in the editor."})


def _sync_events(run: DraftRun) -> Iterator[bytes]:
    try:
        while True:
            kind, value = run.next_event()
            if kind in END:
                yield _last(run, kind, value)
                return
            yield _event(kind, value)
    finally:
        run.cancel()
        run.finish()


async def _async_events(run: DraftRun) -> AsyncIterator[bytes]:
    """Under ASGI: waiting for a piece must not hold the event loop nor the one thread sync views share."""
    try:
        while True:
            kind, value = await asyncio.to_thread(run.next_event)
            if kind in END:
                yield await sync_to_async(_last)(run, kind, value)
                return
            yield _event(kind, value)
    finally:
        if not run.recorded:  # the reader went away: stop the model, record what it spent on a thread of its own
            run.cancel()
            threading.Thread(target=_record_later, args=(run,), daemon=True).start()


def _record_later(run: DraftRun) -> None:
    run.ended.wait()
    try:
        run.finish()
    finally:
        connection.close()  # this thread's own connection


@login_required
@require_POST
def rewrite(request: HttpRequest) -> HttpResponse:
    """The rewrite tools (htmx): the block before and after as a word diff, to accept into the editor or not."""
    workspace = member_workspace(request, roles=WRITERS)
    form = RewriteForm(request.POST)
    context: dict = {}
    if not form.is_valid():
        context["error"] = _first_error(form)
        return render(request, "studio/_rewrite.html", context)
    answers = form.cleaned_data
    selected = answers["scope"] == "selection"
    try:
        config = services.provider_for(workspace)
        result, _ = services.rewrite(
            workspace, request.user, config, answers["body"], None if selected else answers["block"], answers["tool"],
            selection=(answers["selection_start"], answers["selection_end"]) if selected else None,
            seconds=answers["seconds"] or 10, language=answers["language"] or "en",
            speakers=tuple(name.strip() for name in answers["speakers"].split(",") if name.strip()),
        )  # fmt: skip
    except services.WriterUnavailable as unavailable:
        context["error"] = f"Rewrites need a writing model. {unavailable}"
    except ScriptError as error:
        context["error"] = f"Fix the script first: {error}"
    except SelectionError as error:
        context["error"] = str(error)
    except QuotaExceeded as refused:
        context["error_html"] = refused.as_html()
    except (ProviderError, DraftRefused) as error:
        context["error"] = str(error)
    else:
        context.update(rewrite=result, tool=TOOLS[answers["tool"]], selected=selected, writer=config.label)
    return render(request, "studio/_rewrite.html", context)
