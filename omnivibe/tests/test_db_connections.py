"""Database connections are kept between requests by the WSGI server's threads (opening one costs more than a whole
API request's queries) and closed after each request under ASGI, as Django's docs require."""

import subprocess
import sys

import pytest
from django.conf import settings

# One request's life as Django's handlers signal it, in a fresh process that loaded the server module first.
PROBE = """
import {module}
from django.core.signals import request_finished, request_started
from django.db import connection

request_started.send(sender=None)
connection.cursor().execute("SELECT 1")
request_finished.send(sender=None)
print(connection.settings_dict["CONN_MAX_AGE"], connection.connection is not None)
"""


@pytest.mark.parametrize(("module", "expected"), [("omnivibe.wsgi", "60 True"), ("omnivibe.asgi", "0 False")])
def test_the_connection_outlives_the_request_only_under_wsgi(tmp_path, module, expected):
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "omnivibe.settings",
        "SECRET_KEY": "x" * 50,
        "OMNIVIBE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
