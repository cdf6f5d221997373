"""django-q2 entry points: thin wrappers, the work is in services."""

from renders import services


def render_job(job_id: int) -> None:
    services.run_job(job_id)


def fail_stale_jobs() -> None:
    services.fail_stale_jobs()
