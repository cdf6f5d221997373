import pytest
from rest_framework.test import APIClient

from api.keys import create_key
from billing.tests.conftest import plans  # noqa: F401  (the seeded plans, for quota tests)


def workspace_of(user):
    return user.memberships.get().workspace


@pytest.fixture
def owner_key(owner) -> str:
    return create_key(workspace_of(owner), name="tests", user=owner)[1]


@pytest.fixture
def api(owner_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {owner_key}")
    return client


@pytest.fixture
def outsider_api(outsider) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {create_key(workspace_of(outsider), name='theirs')[1]}")
    return client
