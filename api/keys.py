"""Creating, finding and revoking API keys; who may manage them; the webhook secret and its rotation."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from accounts import audit
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
    audit.record(workspace, user, "key.created", f"Created API key “{name}” ({key.prefix}…)")
    return key, raw


def find_key(raw: str) -> ApiKey | None:
    """The usable key with this secret, or None (unknown, revoked or expired).

    A found key (with its workspace) is kept in the shared cache for API_KEY_CACHE_SECONDS: every API request
    looks its key up. Revoking deletes the entry, so a revoked key stops at once; an expiry is checked on use.
    Unknown secrets are never cached (guessing is throttled per address instead).
    """
    if not raw.startswith(KEY_PREFIX):
        return None
    hashed = hash_key(raw)
    key = cache.get(cached_key_name(hashed))
    if key is None:
        key = ApiKey.objects.usable().select_related("workspace").filter(hashed_key=hashed).first()
        if key is None:
            return None
        cache.set(cached_key_name(hashed), key, settings.API_KEY_CACHE_SECONDS)
        _touch(key)  # a key in use misses the cache at least every API_KEY_CACHE_SECONDS: often enough
    return key if key.is_active else None


def cached_key_name(hashed: str) -> str:
    return f"api-key:{hashed}"


def _touch(key: ApiKey) -> None:
    # cache.add is atomic: one request a minute per key pays for the UPDATE.
    if cache.add(f"api-key-used:{key.prefix}", 1, LAST_USED_EVERY):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


def forget_keys(hashed_keys: list[str]) -> None:
    """Drops these keys from the key cache: now, and again after the commit."""

    # After the commit as well: a request that read the key just before the UPDATE cannot cache it again for long.
    def delete() -> None:
        cache.delete_many([cached_key_name(hashed) for hashed in hashed_keys])

    delete()
    transaction.on_commit(delete)


def revoke_key(key: ApiKey, *, by=None) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(key.workspace_id, by, "key.revoked", f"Revoked API key “{key.name}” ({key.prefix}…)")
    forget_keys([key.hashed_key])


def revoke_keys_of_leaving_member(membership: Membership) -> int:
    """A member leaves the workspace: the keys they created there stop working (how many were revoked)."""
    keys = ApiKey.objects.usable().filter(workspace=membership.workspace, created_by=membership.user)
    hashed_keys = list(keys.values_list("hashed_key", flat=True))
    revoked = keys.update(revoked_at=timezone.now())
    forget_keys(hashed_keys)
    # Not audited here: this runs inside deletions (a whole workspace's, too); the member.* entry says it.
    return revoked


def rotate_webhook_secret(workspace: Workspace, *, by=None) -> str:
    """A new signing secret; every webhook from now on is signed with it (the old one stops verifying)."""
    secret, _ = WebhookSecret.objects.update_or_create(
        workspace=workspace, defaults={"secret": WebhookSecret.new_secret()}
    )
    audit.record(workspace, by, "webhook_secret.rotated", "Rotated the webhook signing secret")
    return secret.secret


def webhook_secret_for(workspace: Workspace) -> str:
    secret, _ = WebhookSecret.objects.get_or_create(
        workspace=workspace, defaults={"secret": WebhookSecret.new_secret()}
    )
    return secret.secret
