"""API key authentication: `Authorization: Bearer <key>`, or `xi-api-key: <key>` as ElevenLabs clients send it."""

import structlog
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject
from rest_framework import exceptions, permissions
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request

from accounts.access import RoleRequired
from accounts.roles import Action, Role, roles_for
from api.keys import find_key
from api.models import ApiKey
from api.throttling import count_request_without_key
from billing.limits import check_api_access
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
        # The plan and the creator's role in one query; the plan row is kept for the view (GET /usage).
        request.plan_state = plan_state_of(key.workspace, member_id=key.created_by_id, roles=roles)
        check_api_access(request.plan_state)  # QuotaExceeded -> 402 in api.errors
        # No plan row (Free) or no creator: nothing read yet about a role.
        require_key_role(key, roles, in_role=getattr(request.plan_state, "member_in_role", None))
        return True


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
