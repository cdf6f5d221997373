from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from api import schema, signals  # noqa: F401  (the OpenAPI auth extension; keys follow memberships)
        from api.webhooks import queue_first_delivery
        from renders.signals import job_ended

        job_ended.connect(queue_first_delivery, dispatch_uid="api.queue_first_delivery")
