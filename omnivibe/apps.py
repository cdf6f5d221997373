from django.apps import AppConfig


class OmnivibeConfig(AppConfig):
    name = "omnivibe"
    verbose_name = "OmniVibe"

    def ready(self) -> None:
        from django.conf import settings
        from django_q.signals import pre_execute

        from omnivibe import checks  # noqa: F401  (registers the system checks)

        pre_execute.connect(_bind_task, dispatch_uid="omnivibe.bind_task")
        if settings.SENTRY_DSN:
            from omnivibe.sentry import report_task_failures

            report_task_failures()


def _bind_task(sender, func, task: dict, **kwargs) -> None:
    """Each django-q2 task's log lines name it; nothing of the previous task in this worker stays bound."""
    import structlog

    if task.get("sync"):  # run inside the caller (tests): its context (a request's id) is still the right one
        return
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(task=task.get("name", ""), task_func=str(task.get("func", "")))
