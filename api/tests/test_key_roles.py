"""Who manages keys and the webhook secret: the owner (alice), an editor (bob), an outsider (charlie)."""

import pytest

from accounts.models import Membership
from api.keys import create_key, find_key, webhook_secret_for
from api.models import ApiKey
from api.webhooks import deliver
from renders.models import RenderJob
from tests.factories import make_member, workspace_of
from tests.fixtures import client_working_in

from .test_webhooks import Receiver, verify

pytestmark = pytest.mark.django_db
PAGE = "/studio/settings/api-keys/"


@pytest.fixture
def member(owner, db):
    user = make_member("member@example.com")
    Membership.objects.create(workspace=workspace_of(owner), user=user, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def member_client(member, owner):
    return client_working_in(member, workspace_of(owner))


def test_the_owner_sees_the_secret_and_can_create_keys(owner_client, owner):
    page = owner_client.get(PAGE).content.decode()
    assert webhook_secret_for(workspace_of(owner)) in page and "Create key" in page and "Rotate secret" in page


def test_an_editor_sees_the_page_read_only_without_the_secret(member_client, owner):
    key, _ = create_key(workspace_of(owner), name="Zapier", user=owner)
    page = member_client.get(PAGE).content.decode()
    assert key.prefix in page and 'id="read-only"' in page
    assert webhook_secret_for(workspace_of(owner)) not in page and "whsec_" not in page
    assert "Create key" not in page and "Revoke" not in page and "Rotate secret" not in page


def test_an_editor_cannot_create_a_key(member_client):
    assert member_client.post(PAGE, {"name": "mine"}).status_code == 403
    assert not ApiKey.objects.exists()


def test_an_editor_cannot_revoke_a_key(member_client, owner):
    key, _ = create_key(workspace_of(owner), name="Zapier", user=owner)
    assert member_client.post(f"{PAGE}{key.pk}/revoke/").status_code == 403
    key.refresh_from_db()
    assert key.revoked_at is None


def test_an_editor_cannot_rotate_the_secret(member_client, owner):
    before = webhook_secret_for(workspace_of(owner))
    assert member_client.post(f"{PAGE}webhook-secret/rotate/").status_code == 403
    assert webhook_secret_for(workspace_of(owner)) == before


def test_an_outsider_rotates_only_their_own_secret(outsider_client, owner, outsider):
    before = webhook_secret_for(workspace_of(owner))
    outsider_client.post(f"{PAGE}webhook-secret/rotate/")
    assert webhook_secret_for(workspace_of(owner)) == before


def test_a_rotated_secret_signs_the_next_webhook(owner_client, owner):
    workspace = workspace_of(owner)
    old = webhook_secret_for(workspace)
    response = owner_client.post(f"{PAGE}webhook-secret/rotate/", follow=True)
    new = webhook_secret_for(workspace)
    assert new != old and new in response.content.decode()
    receiver = Receiver()
    try:
        job = RenderJob.objects.create(
            workspace=workspace, title="Hook", blocks=[], status="succeeded", options={"callback_url": receiver.url}
        )
        deliver(job.pk, 1)
    finally:
        receiver.close()
    ((headers, body),) = receiver.requests
    assert verify(new, headers["X-OmniVibe-Signature"], body)
    assert not verify(old, headers["X-OmniVibe-Signature"], body)


def test_keys_of_a_member_who_leaves_are_revoked_and_others_keep_working(owner, member):
    workspace = workspace_of(owner)
    _, members_key = create_key(workspace, name="bob's", user=member)
    _, owners_key = create_key(workspace, name="alice's", user=owner)
    bobs_own = member.memberships.get(role=Membership.Role.OWNER).workspace
    _, elsewhere = create_key(bobs_own, name="bob's own workspace", user=member)
    Membership.objects.get(workspace=workspace, user=member).delete()
    assert find_key(members_key) is None
    assert find_key(owners_key) is not None and find_key(elsewhere) is not None


def test_keys_of_a_deleted_user_are_revoked(owner, member):
    _, members_key = create_key(workspace_of(owner), name="bob's", user=member)
    member.delete()
    assert find_key(members_key) is None
    assert ApiKey.objects.get(name="bob's").revoked_at is not None


def test_an_admin_creates_and_revokes_keys(owner):
    admin = make_member("admin@example.com")
    Membership.objects.create(workspace=workspace_of(owner), user=admin, role=Membership.Role.ADMIN)
    client = client_working_in(admin, workspace_of(owner))
    assert client.post(PAGE, {"name": "admin's"}).status_code == 200
    key = ApiKey.objects.get(workspace=workspace_of(owner), name="admin's")
    assert client.post(f"{PAGE}{key.pk}/revoke/").status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
