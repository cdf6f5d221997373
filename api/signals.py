"""Keys follow their creator's membership: when it ends (removed, or the user deleted), their keys stop working.
A deleted key (the admin, a deleted workspace) leaves the key cache at once, as a changed plan row or membership
leaves the cache of what keys may do (api.auth.plan_and_creator_role)."""

from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts.models import Membership
from api.auth import forget_cached, plan_cache_name, role_cache_name
from api.keys import forget_keys, revoke_keys_of_leaving_member
from api.models import ApiKey
from billing.models import Plan, WorkspacePlan


# pre_delete, not post_delete: when the user is deleted, ApiKey.created_by is set to NULL before the memberships'
# post_delete, and the keys could no longer be told apart. Both run in the deletion's transaction.
@receiver(pre_delete, sender=Membership)
def revoke_keys_when_membership_ends(sender, instance: Membership, **kwargs) -> None:
    revoke_keys_of_leaving_member(instance)


@receiver(post_delete, sender=ApiKey)
def forget_deleted_key(sender, instance: ApiKey, **kwargs) -> None:
    forget_keys([instance.hashed_key])


@receiver([post_save, post_delete], sender=WorkspacePlan)
def forget_cached_plan(sender, instance: WorkspacePlan, **kwargs) -> None:
    forget_cached(plan_cache_name(instance.workspace_id))


@receiver([post_save, post_delete], sender=Membership)
def forget_cached_role(sender, instance: Membership, **kwargs) -> None:
    forget_cached(role_cache_name(instance.workspace_id, instance.user_id))


@receiver(post_save, sender=Plan)
def forget_cached_plans_on(sender, instance: Plan, **kwargs) -> None:
    """A staff edit of a plan's limits applies to the next request of every workspace on it."""
    for workspace_id in WorkspacePlan.objects.filter(plan=instance).values_list("workspace_id", flat=True):
        forget_cached(plan_cache_name(workspace_id))
