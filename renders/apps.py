from django.apps import AppConfig


class RendersConfig(AppConfig):
    name = "renders"

    def ready(self) -> None:
        from voices.models import Voice
        from voices.signals import voice_needed_by

        # A voice a queued or running job still needs cannot be deleted (voices.services.delete_voice).
        voice_needed_by.connect(_jobs_needing_voice, sender=Voice, dispatch_uid="renders.jobs_needing_voice")


def _jobs_needing_voice(sender, voice, **kwargs) -> list[str]:
    from renders.selectors import titles_of_jobs_using

    return titles_of_jobs_using(voice)
