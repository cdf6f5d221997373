"""Every role against every action, generated from the one table (accounts.roles.ALLOWED): for each action, a
few requests that do it, from the Studio and the API; each role is allowed (2xx/3xx) or refused (403, or the
billing page's "Only the workspace's ..." message) exactly as the table says."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import Membership, Workspace
from accounts.roles import ALLOWED, Action, Role
from api.keys import create_key
from renders.models import RenderJob
from tests.factories import (
    CampaignFactory,
    MembershipFactory,
    RenderJobFactory,
    ScriptFactory,
    SeriesRowFactory,
    VoiceFactory,
    api_workspace,
    make_member,
    published_video,
)
from tests.fake_stock import tiny_jpeg

pytestmark = pytest.mark.django_db


@dataclass
class Objects:
    workspace: Workspace
    script_pk: int
    campaign_pk: int
    voice_pk: int
    job_id: str
    finished_job_id: str  # the reviewed row's succeeded video
    member_pk: int
    series_id: str
    row_url: str  # a series row whose video awaits review
    publication_id: str  # a video published on a YouTube channel of the workspace (no tokens: nothing to revoke)
    connection_pk: int


@dataclass
class Probe:
    name: str
    send: Callable[[Client, APIClient, Objects], object]

    def __repr__(self) -> str:
        return self.name


PROBES: dict[Action, list[Probe]] = {
    Action.WATCH: [
        Probe("studio home", lambda web, api, o: web.get("/studio/")),
        Probe("script page", lambda web, api, o: web.get(f"/studio/scripts/{o.script_pk}/")),
        Probe("voices page", lambda web, api, o: web.get("/studio/voices/")),
        Probe("job page", lambda web, api, o: web.get(f"/jobs/{o.job_id}/")),
        Probe("API jobs list", lambda web, api, o: api.get("/api/v1/jobs")),
        Probe("API campaign", lambda web, api, o: api.get(f"/api/v1/campaigns/{o.campaign_pk}")),
        Probe("scripts library", lambda web, api, o: web.get("/studio/scripts/?q=T")),
        Probe("renders library", lambda web, api, o: web.get("/studio/renders/")),
        Probe("API scripts list", lambda web, api, o: api.get("/api/v1/scripts")),
        Probe("API pronunciations list", lambda web, api, o: api.get("/api/v1/pronunciations")),
        Probe("pronunciations page", lambda web, api, o: web.get("/studio/pronunciations/")),
        Probe("export pronunciations", lambda web, api, o: web.get("/studio/pronunciations/export.pls")),
        Probe("series page", lambda web, api, o: web.get(f"/studio/series/{o.series_id}/")),
        Probe("review page", lambda web, api, o: web.get("/studio/review/")),
        Probe("publishing page", lambda web, api, o: web.get("/studio/publishing/")),
        Probe("API series", lambda web, api, o: api.get(f"/api/v1/series/{o.series_id}")),
        Probe("similar scripts", lambda web, api, o: web.get(f"/studio/scripts/{o.script_pk}/similar/")),
        Probe("API similar scripts", lambda web, api, o: api.get(f"/api/v1/scripts/{o.script_pk}/similar")),
        Probe("media library", lambda web, api, o: web.get("/studio/library/")),
        Probe("series list", lambda web, api, o: web.get("/studio/series/")),
        Probe("API series list", lambda web, api, o: api.get("/api/v1/series")),
        Probe("campaign performance", lambda web, api, o: web.get(f"/studio/campaigns/{o.campaign_pk}/performance/")),
        Probe(
            "campaign performance CSV",
            lambda web, api, o: web.get(f"/studio/campaigns/{o.campaign_pk}/performance.csv"),
        ),
        Probe("API video metrics", lambda web, api, o: api.get(f"/api/v1/videos/{o.publication_id}/metrics")),
    ],
    Action.WRITE: [
        Probe("new script page", lambda web, api, o: web.get("/studio/scripts/new/")),
        Probe(
            "save a script",
            lambda web, api, o: web.post(f"/studio/scripts/{o.script_pk}/", {"title": "T", "body": "Host: Hi."}),
        ),
        Probe("new campaign", lambda web, api, o: web.post("/studio/campaigns/new/", {"name": "Spring"})),
        Probe(
            "add to the media library",
            lambda web, api, o: web.post("/studio/library/", {"file": SimpleUploadedFile("a.jpg", tiny_jpeg())}),
        ),
        Probe("delete a voice", lambda web, api, o: web.post(f"/studio/voices/{o.voice_pk}/delete/")),
        Probe("cancel a render", lambda web, api, o: web.post(f"/jobs/{o.job_id}/cancel/")),
        Probe("retry a render", lambda web, api, o: web.post(f"/jobs/{o.job_id}/retry/")),
        Probe("render a render again", lambda web, api, o: web.post(f"/jobs/{o.finished_job_id}/duplicate/")),
        Probe("API render a job again", lambda web, api, o: api.post(f"/api/v1/jobs/{o.finished_job_id}/duplicate")),
        Probe("keep a render", lambda web, api, o: web.post(f"/jobs/{o.job_id}/keep/")),
        Probe(
            "API create campaign", lambda web, api, o: api.post("/api/v1/campaigns", {"name": "Fall"}, format="json")
        ),
        Probe("API delete campaign", lambda web, api, o: api.delete(f"/api/v1/campaigns/{o.campaign_pk}")),
        Probe("delete a script", lambda web, api, o: web.post(f"/studio/scripts/{o.script_pk}/delete/")),
        Probe("duplicate a script", lambda web, api, o: web.post(f"/studio/scripts/{o.script_pk}/duplicate/")),
        Probe(
            "hear a speaker",
            lambda web, api, o: web.post(
                "/studio/scripts/speaker-preview/", {"body": "Host: Hi.", "preview": "Nobody"}
            ),
        ),
        Probe("delete a render", lambda web, api, o: web.post(f"/studio/renders/{o.job_id}/delete/")),
        Probe("delete a campaign", lambda web, api, o: web.post(f"/studio/campaigns/{o.campaign_pk}/delete/")),
        Probe("duplicate a campaign", lambda web, api, o: web.post(f"/studio/campaigns/{o.campaign_pk}/duplicate/")),
        Probe("API draft", lambda web, api, o: api.post("/api/v1/drafts", {"topic": "Tea"}, format="json")),
        Probe(
            "rewrite a block",
            lambda web, api, o: web.post(
                "/studio/scripts/rewrite/", {"body": "Host: Hi.", "block": 1, "tool": "punchier"}
            ),
        ),
        Probe(
            "API create script",
            lambda web, api, o: api.post("/api/v1/scripts", {"title": "T", "body": "Host: Hi."}, format="json"),
        ),
        Probe(
            "add a pronunciation",
            lambda web, api, o: web.post("/studio/pronunciations/", {"written": "A", "spoken": "B"}),
        ),
        Probe(
            "import pronunciations",
            lambda web, api, o: web.post(
                "/studio/pronunciations/import/", {"file": SimpleUploadedFile("a.pls", b"<lexicon/>")}
            ),
        ),
        Probe(
            "API add pronunciation",
            lambda web, api, o: api.post("/api/v1/pronunciations", {"written": "Acme", "spoken": "Ak"}, format="json"),
        ),
        Probe(
            "API start a series",
            lambda web, api, o: api.post(
                "/api/v1/series", {"name": "S", "campaign": o.campaign_pk, "rows": [{"topic": "Tea"}]}, format="json"
            ),
        ),
        Probe("regenerate a reviewed block", lambda web, api, o: web.post(f"{o.row_url}blocks/0/regenerate/")),
        Probe("regenerate a reviewed scene", lambda web, api, o: web.post(f"{o.row_url}scenes/1/regenerate/")),
        # Its campaign has no video with views yet: the page says so (the role check comes first).
        Probe(
            "draft topic ideas",
            lambda web, api, o: web.post(f"/studio/campaigns/{o.campaign_pk}/performance/topics/"),
        ),
        Probe("send a row on again", lambda web, api, o: web.post(f"{o.row_url}render/")),
    ],
    Action.REVIEW: [
        Probe("approve a video", lambda web, api, o: web.post(f"{o.row_url}approve/")),
        Probe("request changes", lambda web, api, o: web.post(f"{o.row_url}changes/", {"note": "Slower."})),
        Probe(
            "add a webhook target",
            lambda web, api, o: web.post("/studio/publishing/webhooks/", {"name": "Z", "url": "https://example.com/h"}),
        ),
        Probe("schedule a video", lambda web, api, o: web.post("/studio/publishing/schedule/", {})),
        Probe("connect YouTube", lambda web, api, o: web.post("/studio/publishing/youtube/connect/")),
        Probe(
            "disconnect a channel",
            lambda web, api, o: web.post(f"/studio/publishing/connections/{o.connection_pk}/disconnect/"),
        ),
        Probe("retry a publication", lambda web, api, o: web.post(f"/studio/publishing/{o.publication_id}/retry/")),
    ],
    Action.MANAGE_MEMBERS: [
        Probe(
            "change a role",
            lambda web, api, o: web.post(f"/workspaces/members/{o.member_pk}/role/", {"role": "editor"}),
        ),
        Probe("remove a member", lambda web, api, o: web.post(f"/workspaces/members/{o.member_pk}/remove/")),
        Probe("audit log", lambda web, api, o: web.get("/workspaces/audit/")),
        Probe(
            "invite",
            lambda web, api, o: web.post("/workspaces/members/invite/", {"email": "n@example.com", "role": "viewer"}),
        ),
    ],
    Action.MANAGE_KEYS: [
        Probe("create a key", lambda web, api, o: web.post("/studio/settings/api-keys/", {"name": "CI"})),
        Probe(
            "rotate the webhook secret",
            lambda web, api, o: web.post("/studio/settings/api-keys/webhook-secret/rotate/"),
        ),
    ],
    Action.MANAGE_BILLING: [
        Probe("manage billing", lambda web, api, o: web.post("/studio/billing/manage/")),
        Probe("upgrade", lambda web, api, o: web.post("/studio/billing/upgrade/pro/")),
    ],
    Action.MANAGE_WORKSPACE: [
        Probe("workspace settings", lambda web, api, o: web.get("/studio/workspace/")),
        Probe(
            "rename the workspace",
            lambda web, api, o: web.post("/studio/workspace/", {"name": "Renamed", "default_language": "en"}),
        ),
    ],
    Action.DELETE_WORKSPACE: [
        # The queued job holds the owner's deletion back (a form error); the role check comes first.
        Probe(
            "delete the workspace",
            lambda web, api, o: web.post("/studio/workspace/delete/", {"confirmation": o.workspace.name}),
        ),
    ],
}
CASES = [
    pytest.param(action, role, probe, id=f"{action}-{role}-{probe.name}")
    for action, probes in PROBES.items()
    for probe in probes
    for role in Role.values
]


def test_every_action_of_the_table_is_probed():
    assert set(PROBES) == set(ALLOWED)


@pytest.fixture
def objects(owner) -> Objects:
    workspace = api_workspace(owner)
    row = SeriesRowFactory(series__workspace=workspace)
    publication = published_video(row.script, views=10)
    return Objects(
        publication_id=str(publication.public_id),
        connection_pk=publication.connection_id,
        series_id=str(row.series.public_id),
        row_url=f"/studio/series/{row.series.public_id}/rows/{row.number}/",
        workspace=workspace,
        script_pk=ScriptFactory(workspace=workspace).pk,
        campaign_pk=CampaignFactory(workspace=workspace).pk,
        voice_pk=VoiceFactory(workspace=workspace).pk,
        job_id=str(RenderJobFactory(workspace=workspace, status=RenderJob.Status.QUEUED).public_id),
        finished_job_id=str(row.job.public_id),
        member_pk=MembershipFactory(workspace=workspace, role=Role.VIEWER).pk,
    )


def clients_of(role: str, owner, workspace: Workspace) -> tuple[Client, APIClient]:
    """A browser signed in as a member with `role` (on that workspace) and an API client with a key they made."""
    user = owner if role == Role.OWNER else make_member(f"{role}@example.com")
    if role != Role.OWNER:
        Membership.objects.create(workspace=workspace, user=user, role=role)
    web = Client()
    web.force_login(user)
    session = web.session
    session["workspace_id"] = workspace.pk
    session.save()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_key(workspace, name=role, user=user)[1]}")
    return web, api


def refused(response) -> bool:
    if response.status_code == 403:
        return True
    flashed = (
        [str(message) for message in get_messages(response.wsgi_request)] if hasattr(response, "wsgi_request") else []
    )
    return any(message.startswith("Only the workspace's") for message in flashed)


@pytest.mark.parametrize(("action", "role", "probe"), CASES)
def test_each_role_does_exactly_what_the_table_allows(action, role, probe, owner, objects):
    web, api = clients_of(role, owner, objects.workspace)
    response = probe.send(web, api, objects)
    if role in ALLOWED[action]:
        assert response.status_code < 400 and not refused(response), response.status_code
    else:
        assert refused(response)


def test_a_viewer_cannot_render_and_is_told_who_can(owner, objects):
    web, _ = clients_of(Role.VIEWER, owner, objects.workspace)
    response = web.post(f"/studio/scripts/{objects.script_pk}/render/", {"kind": "audio", "aspect": "16:9"})
    assert response.status_code == 403
    assert "owners, admins and editors can do this." in response.content.decode()
    assert not RenderJob.objects.filter(workspace=objects.workspace, script_id=objects.script_pk).exists()


def test_a_key_acts_with_its_creators_role_now(owner, objects):
    _, api = clients_of(Role.EDITOR, owner, objects.workspace)
    assert api.post("/api/v1/campaigns", {"name": "Before"}, format="json").status_code == 201
    editor = Membership.objects.get(workspace=objects.workspace, role=Role.EDITOR)
    editor.role = Role.VIEWER
    editor.save()  # as accounts.members.change_role saves it: the cached role is dropped with the old one
    response = api.post("/api/v1/campaigns", {"name": "After"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Only the workspace's owners, admins and editors can do this."
    assert api.get("/api/v1/campaigns").status_code == 200
