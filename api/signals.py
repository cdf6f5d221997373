"""Keys follow their creator's membership: when it ends (removed, or the user deleted), their keys stop working.
A deleted key (the admin, a deleted workspace) leaves the key cache at once."""

from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from accounts.models import Membership
from api.keys import forget_keys, revoke_keys_of_leaving_member
from api.models import ApiKey


# pre_delete, not post_delete: when the user is deleted, ApiKey.created_by is set to NULL before the memberships'
# post_delete, and the keys could no longer be told apart. Both run in the deletion's transaction.
@receiver(pre_delete, sender=Membership)
def revoke_keys_when_membership_ends(sender, instance: Membership, **kwargs) -> None:
    revoke_keys_of_leaving_member(instance)


@receiver(post_delete, sender=ApiKey)
def forget_deleted_key(sender, instance: ApiKey, **kwargs) -> None:
    forget_keys([instance.hashed_key])
