"""Reads of render jobs, always through the member's workspaces."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from accounts.access import for_member
from renders.models import RenderJob


def job_for_member(user: AbstractBaseUser | AnonymousUser, public_id: str) -> RenderJob | None:
    """The job if `user` may see it (the live progress socket has a user, not a request), else None."""
    return for_member(RenderJob.objects, user).filter(public_id=public_id).prefetch_related("outputs").first()
