from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Workspace
from accounts.services import ensure_personal_workspace
from api.keys import create_key


class Command(BaseCommand):
    help = "Create an API key for a workspace (by id or exact name) or a user's first workspace (by e-mail)."

    def add_arguments(self, parser):
        parser.add_argument("workspace_or_email")
        parser.add_argument("--name", required=True)
        parser.add_argument("--expires-days", type=int, default=None)

    def handle(self, *args, workspace_or_email: str, name: str, expires_days: int | None, **options):
        target, user = workspace_or_email, None
        if "@" in target:
            user = get_user_model().objects.filter(email__iexact=target).first()
            if user is None:
                raise CommandError(f"No user with the e-mail {target}.")
            workspace = ensure_personal_workspace(user)
        else:
            matches = (
                Workspace.objects.filter(pk=int(target)) if target.isdigit() else Workspace.objects.filter(name=target)
            )
            if matches.count() != 1:
                raise CommandError(f"No single workspace with the id or name {target!r}.")
            workspace = matches.get()
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days must be 1 or more.")
        key, raw = create_key(workspace, name=name, user=user, expires_days=expires_days)
        self.stderr.write(f"Created key {key.prefix}… for {workspace.name}. It is shown only once:")
        self.stdout.write(raw)
