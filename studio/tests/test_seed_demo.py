"""`seed_demo` (run by `make run`): the demo user can try the Studio and the API at once."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts.models import Workspace
from api.keys import create_key
from billing.limits import current_plan
from tests.factories import seed_plans

pytestmark = pytest.mark.django_db


def test_the_demo_workspace_is_on_a_plan_with_the_api(monkeypatch, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-long")
    seed_plans()
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: `make run` runs it every time
    workspace = Workspace.objects.get(memberships__user__username="demo@omnivibe.local")
    assert current_plan(workspace).api_access
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_key(workspace, name='demo')[1]}")
    assert api.get("/api/v1/jobs").status_code == 200
