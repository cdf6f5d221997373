"""Test data in one line: factories for members, workspaces, scripts, voices and jobs, and plan helpers."""

import importlib

import factory
from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from factory.django import DjangoModelFactory, Password

from accounts.models import Membership, Workspace
from accounts.services import ensure_personal_workspace
from billing.models import Plan, WorkspacePlan
from publishing.models import Connection, Publication, Series, SeriesRow, VideoMetrics
from renders.models import RenderJob
from renders.options import RenderOptions
from scripts.models import Campaign, Script
from voices.models import Voice

PASSWORD = "pw-12345-long"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.SelfAttribute("username")
    password = Password(PASSWORD)


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.EDITOR


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Campaign {n}")


class ScriptFactory(DjangoModelFactory):
    class Meta:
        model = Script

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Script {n}")
    body = "Host: Hello there."


class VoiceFactory(DjangoModelFactory):
    class Meta:
        model = Voice

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Voice {n}")
    engine = "piper"
    engine_voice_id = "joe"


class RenderJobFactory(DjangoModelFactory):
    """A queued audio job of one block, its voice frozen as a submission would (no quota held: use
    `renders.services.create_job` when a test is about admission)."""

    class Meta:
        model = RenderJob

    workspace = factory.SubFactory(WorkspaceFactory)
    title = factory.Sequence(lambda n: f"Job {n}")
    kind = RenderJob.Kind.AUDIO
    blocks = factory.LazyFunction(lambda: [{"speaker": "Host", "text": "Hello there.", "pause_after": 0.0}])
    options = factory.LazyFunction(
        lambda: RenderOptions(voices={"Host": {"engine": "piper", "voice_id": "joe", "settings": {}}}).to_json()
    )


class SeriesFactory(DjangoModelFactory):
    class Meta:
        model = Series

    workspace = factory.SubFactory(WorkspaceFactory)
    campaign = factory.SubFactory(CampaignFactory, workspace=factory.SelfAttribute("..workspace"))
    name = factory.Sequence(lambda n: f"Series {n}")


class SeriesRowFactory(DjangoModelFactory):
    """A row whose video is rendered and waits for review (its job succeeded, with its script)."""

    class Meta:
        model = SeriesRow

    series = factory.SubFactory(SeriesFactory)
    number = factory.Sequence(lambda n: n + 2)
    status = SeriesRow.Status.REVIEW
    title = factory.Sequence(lambda n: f"Video {n}")
    script = factory.SubFactory(
        ScriptFactory,
        workspace=factory.SelfAttribute("..series.workspace"),
        campaign=factory.SelfAttribute("..series.campaign"),
    )
    job = factory.SubFactory(
        RenderJobFactory,
        workspace=factory.SelfAttribute("..series.workspace"),
        script=factory.SelfAttribute("..script"),
        status=RenderJob.Status.SUCCEEDED,
    )


def published_video(script: Script, views: int, *, watch_minutes: float | None = None) -> Publication:
    """A video of `script` published on a YouTube channel of its workspace, with one snapshot of its figures."""
    connection, _ = Connection.objects.get_or_create(
        workspace=script.workspace, kind=Connection.Kind.YOUTUBE, account_id="UCfactory", defaults={"name": "Channel"}
    )
    job = RenderJobFactory(workspace=script.workspace, script=script, status=RenderJob.Status.SUCCEEDED)
    now = timezone.now()
    publication = Publication.objects.create(
        workspace=script.workspace, connection=connection, job=job, title=script.title[:100], publish_at=now,
        status=Publication.Status.PUBLISHED, remote_id=f"vid{job.pk}", published_at=now,
    )  # fmt: skip
    VideoMetrics.objects.create(publication=publication, fetched_at=now, views=views, watch_minutes=watch_minutes)
    return publication


def make_member(email: str):
    """A user signed up as the product does: with a personal workspace they own."""
    user = UserFactory(username=email, email=email)
    ensure_personal_workspace(user)
    return user


def workspace_of(user) -> Workspace:
    return user.memberships.get().workspace


def seed_plans() -> dict[str, Plan]:
    # The data migration's own seed function: tests run with --nomigrations.
    importlib.import_module("billing.migrations.0003_seed_plans").seed_plans(global_apps, None)
    importlib.import_module("billing.migrations.0007_plan_max_members").seed_seats(global_apps, None)
    importlib.import_module("billing.migrations.0008_plan_output_retention").seed_retention(global_apps, None)
    return {plan.slug: plan for plan in Plan.objects.all()}


def put_on_plan(workspace: Workspace, slug: str, **fields) -> WorkspacePlan:
    state, _ = WorkspacePlan.objects.update_or_create(
        workspace=workspace, defaults={"plan": Plan.objects.get(slug=slug), **fields}
    )
    return state


def api_workspace(user) -> Workspace:
    """The user's workspace, on a plan that includes the API (Free does not)."""
    workspace = workspace_of(user)
    seed_plans()
    put_on_plan(workspace, "pro")
    return workspace
