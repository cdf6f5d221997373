"""Create the demo account (idempotent): demo@omnivibe.local with a sample script, on a plan with the API."""

import os
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.services import ensure_personal_workspace
from billing.models import Plan, WorkspacePlan
from scripts.models import Script
from studio.forms import SAMPLE_SCRIPT

DEMO_EMAIL = "demo@omnivibe.local"
# The demo tries everything: Pro includes the API and the drop-in endpoints (Free answers them 402).
DEMO_PLAN = "pro"


class Command(BaseCommand):
    help = "Create or refresh the demo user; the password comes from DEMO_PASSWORD or is generated once."

    def handle(self, *args, **options):
        password = os.environ.get("DEMO_PASSWORD") or self._stored_password()
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_EMAIL, defaults={"email": DEMO_EMAIL})
        if created or not user.check_password(password):
            user.set_password(password)
            user.save()
        EmailAddress.objects.update_or_create(user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True})
        workspace = ensure_personal_workspace(user)
        Script.objects.get_or_create(
            workspace=workspace,
            title="Welcome to OmniVibe",
            defaults={"body": SAMPLE_SCRIPT, "created_by": user},
        )
        # A plan the demo user chose themselves (a Stripe subscription) is left as it is.
        state = WorkspacePlan.objects.filter(workspace=workspace).first()
        if state is None or not state.stripe_subscription_id:
            WorkspacePlan.objects.update_or_create(
                workspace=workspace,
                defaults={"plan": Plan.objects.get(slug=DEMO_PLAN), "status": WorkspacePlan.Status.ACTIVE},
            )
        self.stdout.write(f"Demo login: {DEMO_EMAIL} / {password}")

    def _stored_password(self) -> str:
        # Generated on the first run and kept, so the password printed stays the same run after run.
        path = settings.VAR_DIR / "demo-password"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        password = secrets.token_urlsafe(9)
        path.write_text(password)
        path.chmod(0o600)
        return password
