import importlib

import pytest
from django.apps import apps as global_apps
from rest_framework.test import APIClient

from api.keys import create_key
from billing.tests.conftest import plans, put_on_plan  # noqa: F401  (plans: the seeded plans fixture)


def workspace_of(user):
    return user.memberships.get().workspace


def api_workspace(user):
    """The user's workspace, on a plan that includes the API (Free does not)."""
    workspace = workspace_of(user)
    # Tests run without migrations: seed the plans as the data migration does.
    importlib.import_module("billing.migrations.0003_seed_plans").seed_plans(global_apps, None)
    put_on_plan(workspace, "pro")
    return workspace


@pytest.fixture
def owner_key(owner) -> str:
    return create_key(api_workspace(owner), name="tests", user=owner)[1]


@pytest.fixture
def api(owner_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    return client


@pytest.fixture
def outsider_api(outsider) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_key(api_workspace(outsider), name='theirs')[1]}")
    return client
