"""API key authentication: `Authorization: Bearer <key>`, or `xi-api-key: <key>` as ElevenLabs clients send it."""

import structlog
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import SimpleLazyObject
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from accounts.access import RoleRequired
from accounts.models import Membership
from accounts.roles import Action, Role, roles_for
from api.keys import find_key
from api.models import ApiKey
from api.throttling import count_request_without_key
from billing.limits import check_api_access
from billing.models import WorkspacePlan
from billing.selectors import plan_state_of


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[object, ApiKey] | None:
        raw = _presented_key(request)
        key = find_key(raw) if raw is not None else None
        if key is None:
            count_request_without_key(request)  # 429 once this address has sent too many
        if raw is None:
            return None
        if key is None:
            raise exceptions.AuthenticationFailed("This API key is not valid: it is unknown, revoked or expired.")
        structlog.contextvars.bind_contextvars(workspace=key.workspace_id)  # on the request's log lines
        # Lazily: no API view reads the user, and the key comes from the cache without it.
        return SimpleLazyObject(lambda: key.created_by or AnonymousUser()), key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with WWW-Authenticate) rather than 403 when no key was sent.
        return 'Bearer realm="api"'


def _presented_key(request: Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if request.headers.get("xi-api-key"):
        return request.headers["xi-api-key"].strip()
    return None


class HasApiKey(permissions.BasePermission):
    """A valid key, of a workspace whose plan includes the API (402 otherwise), whose role allows the request:
    reading is watching, anything else (create, render, synthesize, delete) is writing (403 otherwise)."""

    def has_permission(self, request: Request, view: object) -> bool:
        if not isinstance(request.auth, ApiKey):
            return False
        key = request.auth
        roles = roles_for(Action.WATCH if request.method in permissions.SAFE_METHODS else Action.WRITE)
        # The plan row is kept for the view (GET /usage).
        request.plan_state, creator_role = plan_and_creator_role(key)
        check_api_access(request.plan_state)  # QuotaExceeded -> 402 in api.errors
        require_key_role(key, roles, in_role=None if key.created_by_id is None else creator_role in roles)
        return True


def plan_and_creator_role(key: ApiKey) -> tuple[WorkspacePlan | None, str | None]:
    """The key's workspace plan row (None: Free) and its creator's role there (None: not a member), as every API
    request asks: from the shared cache in one round trip, kept API_KEY_CACHE_SECONDS as the key itself. A change
    of plan, plan row or membership drops its entries at once (api.signals), so a demotion, a lapsed plan or new
    limits apply to the next request."""
    names = [plan_cache_name(key.workspace_id), role_cache_name(key.workspace_id, key.created_by_id)]
    cached = cache.get_many(names)  # values are 1-tuples: a cached None (Free, not a member) is still found
    if names[0] in cached and names[1] in cached:
        return cached[names[0]][0], cached[names[1]][0]
    state = plan_state_of(key.workspace)
    role = (
        Membership.objects.filter(workspace_id=key.workspace_id, user_id=key.created_by_id)
        .values_list("role", flat=True)
        .first()
        if key.created_by_id is not None
        else None
    )
    cache.set_many({names[0]: (state,), names[1]: (role,)}, settings.API_KEY_CACHE_SECONDS)
    return state, role


def plan_cache_name(workspace_id: int) -> str:
    return f"api-plan:{workspace_id}"


def role_cache_name(workspace_id: int, user_id: int | None) -> str:
    return f"api-role:{workspace_id}:{user_id}"


def forget_cached(name: str) -> None:
    """Drops a cached plan row or role: now, and again after the commit (a request that read the old row just
    before cannot keep it for long), as api.keys.forget_keys does for keys."""
    cache.delete(name)
    transaction.on_commit(lambda: cache.delete(name))


def require_key_role(key: ApiKey, roles: frozenset[str], *, in_role: bool | None = None) -> None:
    """A key acts with the role its creator holds in its workspace now: demote the creator and the key loses
    rights with them (a creator who left had their keys revoked). A key an operator made for a workspace by id
    or name (`manage.py create_api_key`, no user) acts as an editor. `in_role`: whether the creator holds one of
    `roles`, when the caller has read it already."""
    if key.created_by_id is None:
        if Role.EDITOR not in roles:
            raise RoleRequired.naming(roles)
        return
    if in_role is None:  # by id: the creator's user row is never needed, only their membership (one query)
        in_role = key.workspace.memberships.filter(user_id=key.created_by_id, role__in=roles).exists()
    if not in_role:
        raise RoleRequired.naming(roles)


def workspace_of(request: Request):
    """The workspace every API queryset is scoped to: the key's."""
    return request.auth.workspace
