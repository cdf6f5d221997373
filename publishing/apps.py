import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class PublishingConfig(AppConfig):
    name = "publishing"

    def ready(self) -> None:
        from publishing.performance import answer_performance_wanted
        from renders.models import RenderJob
        from renders.signals import job_ended
        from scripts.performance import Performance, performance_wanted

        # A render's end moves its series row on and frees a slot for the next waiting row.
        job_ended.connect(_job_ended, sender=RenderJob, dispatch_uid="publishing.job_ended")
        # How scripts did, for "similar to your best performers" and the writer's examples.
        performance_wanted.connect(
            answer_performance_wanted, sender=Performance, dispatch_uid="publishing.performance_wanted"
        )


def _job_ended(sender, job, **kwargs) -> None:
    from publishing.services import job_ended

    try:
        job_ended(job)
    except Exception:  # the job's end is committed; the other listeners (its webhook) must still hear of it
        logger.exception("series: the end of render %s was not handled", job.public_id)
