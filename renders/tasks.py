"""django-q2 entry points: thin wrappers, the work is in services."""

from renders import services


def render_job(job_id: int) -> None:
    services.run_job(job_id)


def sweep_jobs() -> None:
    services.sweep_jobs()
