"""Creating, finding and revoking API keys; who may manage them; the webhook secret and its rotation."""

import secrets
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

from accounts.models import Membership, Workspace
from accounts.roles import Action, roles_for
from api.models import KEY_PREFIX, ApiKey, WebhookSecret, hash_key

LAST_USED_EVERY = 60  # seconds: `last_used_at` is written at most once a minute per key

# Roles that may create and revoke keys and read or rotate the webhook secret.
KEY_MANAGER_ROLES = roles_for(Action.MANAGE_KEYS)


def create_key(workspace: Workspace, *, name: str, user=None, expires_days: int | None = None) -> tuple[ApiKey, str]:
    """A new key and its secret, which is returned only here (never stored)."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        workspace=workspace,
        name=name,
        prefix=raw[:12],
        hashed_key=hash_key(raw),
        created_by=user,
        expires_at=timezone.now() + timedelta(days=expires_days) if expires_days else None,
    )
    return key, raw


def find_key(raw: str) -> ApiKey | None:
    """The usable key with this secret, or None (unknown, revoked or expired)."""
    if not raw.startswith(KEY_PREFIX):
        return None
    key = ApiKey.objects.usable().select_related("workspace").filter(hashed_key=hash_key(raw)).first()
    if key is not None:
        _touch(key)
    return key


def _touch(key: ApiKey) -> None:
    # cache.add is atomic: one request a minute per key pays for the UPDATE.
    if cache.add(f"api-key-used:{key.prefix}", 1, LAST_USED_EVERY):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


def revoke_key(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])


def revoke_keys_of_leaving_member(membership: Membership) -> int:
    """A member leaves the workspace: the keys they created there stop working (how many were revoked)."""
    return (
        ApiKey.objects.usable()
        .filter(workspace=membership.workspace, created_by=membership.user)
        .update(revoked_at=timezone.now())
    )


def rotate_webhook_secret(workspace: Workspace) -> str:
    """A new signing secret; every webhook from now on is signed with it (the old one stops verifying)."""
    secret, _ = WebhookSecret.objects.update_or_create(
        workspace=workspace, defaults={"secret": WebhookSecret.new_secret()}
    )
    return secret.secret


def webhook_secret_for(workspace: Workspace) -> str:
    secret, _ = WebhookSecret.objects.get_or_create(
        workspace=workspace, defaults={"secret": WebhookSecret.new_secret()}
    )
    return secret.secret
