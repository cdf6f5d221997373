import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnivibe.settings")
# Each of the server's threads keeps its database connection a minute (not under ASGI: omnivibe/settings.py).
os.environ.setdefault("DATABASE_CONN_MAX_AGE", "60")
django_wsgi_app = get_wsgi_application()  # before importing what reads the settings

from omnivibe.body_limits import WSGIBodyLimit  # noqa: E402

# Production serves HTTP through this (granian's WSGI interface: no hop to a sync thread per view, as under ASGI)
# and WebSockets through omnivibe.asgi on a port of their own (README, "Production").
application = WSGIBodyLimit(django_wsgi_app)
