from django.apps import AppConfig


class OmnivibeConfig(AppConfig):
    name = "omnivibe"
    verbose_name = "OmniVibe"

    def ready(self) -> None:
        from omnivibe import checks  # noqa: F401  (registers the system checks)
