from django.core.management.base import BaseCommand

from scripts.memory import remember_all


class Command(BaseCommand):
    help = "Compute the 'similar scripts' vector of every script that has none or a stale one (after an upgrade)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--workspace", type=int, help="Only this workspace's scripts (its id).")

    def handle(self, *args, workspace: int | None = None, **options) -> None:
        count = remember_all(workspace)
        self.stdout.write(f"{count} script{'s' if count != 1 else ''} remembered.")
