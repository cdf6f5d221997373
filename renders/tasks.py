"""django-q2 entry points: thin wrappers, the work is in services and worker."""

from renders import retention, services, worker


def render_job(job_id: int) -> None:
    services.run_job(job_id)


def sweep_jobs() -> None:
    worker.sweep_jobs()


def expire_outputs() -> None:
    retention.expire_outputs()
