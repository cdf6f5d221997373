"""Test settings: the real settings, with a synchronous task queue and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from omnivibe.settings import *  # noqa: F403
from omnivibe.settings import Q_CLUSTER

# django-q2 reads its Conf at import time: sync must be set here, not in a fixture.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
RENDER_PROGRESS_MIN_INTERVAL = 0.0
# Renders run inline in the test's transaction: a heartbeat thread's write (another connection) would wait on it.
# The heartbeat tests set their own interval.
RENDER_HEARTBEAT_INTERVAL = 3600.0
# Channels runs ORM calls in worker threads: close their connections after each use so the
# PostgreSQL test database can be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not the default shared-cache in-memory database: that one answers concurrent writers with
    # "database table is locked" at once, ignoring busy_timeout, so threaded tests could not run on it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
API_THROTTLE_RATE = "100000/min"  # the throttling test sets its own
API_ANONYMOUS_THROTTLE_RATE = "100000/min"
WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the suite's receivers listen on 127.0.0.1; the guard has its own tests
# The writer never reaches a real provider from a test: tests point it at tests/fake_llm.py.
OPENAI_API_KEY = ANTHROPIC_API_KEY = OPENAI_BASE_URL = ANTHROPIC_BASE_URL = ""
GOOGLE_CLIENT_ID = GOOGLE_CLIENT_SECRET = ""
# Nothing real is contacted: the publishing tests point these at tests/fake_google.py.
GOOGLE_AUTH_URI = GOOGLE_TOKEN_URI = GOOGLE_REVOKE_URI = "http://127.0.0.1:9/unreachable"
YOUTUBE_API_ENDPOINT = "http://127.0.0.1:9/"
