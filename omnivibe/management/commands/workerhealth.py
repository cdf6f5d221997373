"""Exit 0 when a django-q2 cluster on this machine beat recently, 1 otherwise: a container's health check
(docker-compose.yml runs one worker a container; the container's host name is the cluster's)."""

import socket

from django.core.management.base import BaseCommand, CommandError

from omnivibe.health import live_clusters


class Command(BaseCommand):
    help = "Exit 0 if a worker (qcluster) on this machine has a fresh heartbeat, else 1."

    def handle(self, *args, **options):
        host = socket.gethostname()
        try:
            alive = live_clusters(host)
        except Exception as error:  # Redis or the database unreachable: unhealthy, said in one line
            raise CommandError(f"cannot read the workers' heartbeats: {error}") from None
        if not alive:
            raise CommandError(f"no worker on {host} beat in the last few seconds")
        self.stdout.write(f"{len(alive)} worker cluster(s) alive on {host}")
