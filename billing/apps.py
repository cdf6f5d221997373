from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"

    def ready(self) -> None:
        from accounts.models import Workspace
        from accounts.seats import seats_wanted
        from accounts.workspaces import deletion_blocked_by
        from billing.limits import seat_refusal, subscription_still_billing

        seats_wanted.connect(seat_refusal, sender=Workspace, dispatch_uid="billing.seat_refusal")
        deletion_blocked_by.connect(
            subscription_still_billing, sender=Workspace, dispatch_uid="billing.subscription_still_billing"
        )
