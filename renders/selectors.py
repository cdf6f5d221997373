"""Reads of render jobs, always through the member's workspaces."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from renders.models import RenderJob


def jobs_for_member(user: AbstractBaseUser | AnonymousUser) -> QuerySet[RenderJob]:
    if not user.is_authenticated:
        return RenderJob.objects.none()
    return RenderJob.objects.filter(workspace__memberships__user=user)


def job_for_member(user: AbstractBaseUser | AnonymousUser, public_id: str) -> RenderJob | None:
    return jobs_for_member(user).filter(public_id=public_id).prefetch_related("outputs").first()
