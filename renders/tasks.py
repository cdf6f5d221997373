"""django-q2 entry points: thin wrappers, the work is in services."""

from renders.services import run_job


def render_job(job_id: int) -> None:
    run_job(job_id)
