from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from accounts.models import Workspace
        from accounts.seats import seats_wanted
        from billing.limits import seat_refusal

        seats_wanted.connect(seat_refusal, sender=Workspace, dispatch_uid="billing.seat_refusal")
