from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from accounts.services import ensure_personal_workspace


@receiver(user_signed_up)
def create_workspace_on_sign_up(request, user, **kwargs) -> None:
    ensure_personal_workspace(user)
