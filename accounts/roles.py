"""Who may do what in a workspace: the one table (action, roles) every check in the Studio, the API and the
live progress socket reads, through `accounts.access`.

Owners do everything; admins everything but billing and deleting the workspace; editors write and render
(and regenerate a reviewed video's block) but do not approve videos for publishing; viewers watch and download.
"""

from enum import StrEnum

from accounts.models import Membership

Role = Membership.Role


class Action(StrEnum):
    WATCH = "watch"  # see scripts, campaigns, voices and jobs; watch progress; download outputs
    WRITE = "write"  # scripts, campaigns, voices (and previews), renders, storyboard edits, retry, cancel; series
    REVIEW = "review"  # approve a series' finished video for publishing, or send it back with a note
    MANAGE_MEMBERS = "manage_members"  # change members' roles and remove members (owners only touch owners)
    MANAGE_KEYS = "manage_keys"  # create and revoke API keys; see and rotate the webhook secret
    MANAGE_BILLING = "manage_billing"  # change plan, pay, open the Stripe portal
    MANAGE_WORKSPACE = "manage_workspace"  # the workspace's settings: its name
    DELETE_WORKSPACE = "delete_workspace"  # delete the workspace and everything in it


ALLOWED: dict[Action, frozenset[str]] = {
    Action.WATCH: frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR, Role.VIEWER}),
    Action.WRITE: frozenset({Role.OWNER, Role.ADMIN, Role.EDITOR}),
    # The review gate: the people who answer for what the workspace publishes, not every editor.
    Action.REVIEW: frozenset({Role.OWNER, Role.ADMIN}),
    Action.MANAGE_MEMBERS: frozenset({Role.OWNER, Role.ADMIN}),
    Action.MANAGE_KEYS: frozenset({Role.OWNER, Role.ADMIN}),
    Action.MANAGE_BILLING: frozenset({Role.OWNER}),
    Action.MANAGE_WORKSPACE: frozenset({Role.OWNER, Role.ADMIN}),
    Action.DELETE_WORKSPACE: frozenset({Role.OWNER}),
}


def roles_for(action: Action) -> frozenset[str]:
    """The roles that may do `action` (what `member_workspace(request, roles=...)` and `require_role` take)."""
    return ALLOWED[action]
