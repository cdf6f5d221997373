"""Who may see what: the one rule every view (and the live progress socket) goes through.

A member sees the objects of the workspaces they belong to; anything else is a 404, indistinguishable from
an object that does not exist. Pages that act on "the" workspace use the one the member chose this session.
What a member may do there depends on their role: `roles=roles_for(Action...)` (accounts/roles.py), else 403.
"""

from collections.abc import Collection
from typing import Any, TypeVar

import structlog
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts.models import Membership, Workspace
from accounts.services import ensure_personal_workspace

M = TypeVar("M", bound=Model)
CURRENT_WORKSPACE = "workspace_id"  # the session key the header's switcher sets
User = AbstractBaseUser | AnonymousUser


class RoleRequired(PermissionDenied):
    """The member's role in the workspace does not allow this; the message says who may."""

    @classmethod
    def naming(cls, roles: Collection[str]) -> "RoleRequired":
        """'Only the workspace's owners, admins and editors can do this.' (roles from the highest down)."""
        names = [f"{role}s" for role in Membership.Role.values if role in roles]
        who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return cls(f"Only the workspace's {who} can do this.")


def for_member(queryset: QuerySet[M], user: User) -> QuerySet[M]:
    """The rows of `queryset` (a model with a `workspace`) in workspaces `user` belongs to."""
    if not user.is_authenticated:
        return queryset.none()
    return queryset.filter(workspace__memberships__user=user)


def get_for_member(
    queryset: QuerySet[M], request: HttpRequest, *, roles: Collection[str] | None = None, **lookup: Any
) -> M:
    """The object matching `lookup` if the signed-in member may see it; Http404 otherwise.

    With `roles`, raises RoleRequired unless the member holds one of them in the object's workspace.
    """
    found = get_object_or_404(for_member(queryset, request.user), **lookup)
    structlog.contextvars.bind_contextvars(workspace=found.workspace_id)  # on the request's log lines
    if roles is not None:
        require_role(found.workspace, request.user, roles)
    return found


def member_workspace(request: HttpRequest, *, roles: Collection[str] | None = None) -> Workspace:
    """The workspace the member chose this session, else their first one.

    With `roles`, raises RoleRequired unless the member holds one of them in it.
    """
    workspace = None
    if chosen := request.session.get(CURRENT_WORKSPACE):
        workspace = Workspace.objects.filter(pk=chosen, memberships__user=request.user).first()
    workspace = workspace or ensure_personal_workspace(request.user)
    structlog.contextvars.bind_contextvars(workspace=workspace.pk)  # on the request's log lines
    if roles is not None:
        require_role(workspace, request.user, roles)
    return workspace


def is_member(user: User, workspace_id: int) -> bool:
    """`for_member`'s rule for one workspace: a live socket re-checks it without reading its object again."""
    return user.is_authenticated and Membership.objects.filter(workspace_id=workspace_id, user=user).exists()


def has_role(workspace: Workspace, user: User, roles: Collection[str]) -> bool:
    return user.is_authenticated and workspace.memberships.filter(user=user, role__in=roles).exists()


def require_role(workspace: Workspace, user: User, roles: Collection[str]) -> None:
    """Raises RoleRequired (403) unless `user` holds one of `roles` in `workspace`."""
    if not has_role(workspace, user, roles):
        raise RoleRequired.naming(roles)
