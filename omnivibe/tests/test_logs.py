"""Log lines: one JSON line per request with its request id, and the workspace once the access rule knows it."""

import logging

import pytest
import structlog
from django.db import connections

from omnivibe.asgi import application  # sets Django up (and its logging) before a test takes the log
from omnivibe.logs import logging_config
from tests.fixtures import client_working_in

pytestmark = pytest.mark.django_db


def requests_logged(lines: list[dict]) -> list[dict]:
    return [line for line in lines if line["logger"] == "omnivibe.request"]


def test_a_request_is_one_json_line_with_its_request_id(client, json_log):
    response = client.get("/accounts/login/")
    (line,) = requests_logged(json_log())
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    assert line["message"] == "request" and line["level"] == "info"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/accounts/login/", 200)
    assert line["duration_ms"] >= 0 and line["timestamp"].endswith("Z")


@pytest.mark.urls("omnivibe.tests.urls")
def test_the_lines_logged_while_serving_carry_the_request_id_and_the_workspace(owner, json_log):
    client = client_working_in(owner)
    workspace = owner.memberships.get().workspace
    response = client.get("/test/logs-a-warning", HTTP_X_REQUEST_ID="from-the-proxy-1234")
    assert response.status_code == 200
    warning = next(line for line in json_log() if line["message"] == "something worth a look")
    (request,) = requests_logged(json_log())
    assert warning["request_id"] == request["request_id"] == "from-the-proxy-1234" == response["X-Request-ID"]
    assert warning["workspace"] == request["workspace"] == workspace.pk
    client.logout()
    client.get("/accounts/login/")  # the next request on this thread: nothing of the last one left bound
    last = requests_logged(json_log())[-1]
    assert last["request_id"] != request["request_id"] and "workspace" not in last


def test_an_api_request_names_the_keys_workspace(api, owner, json_log):
    assert api.get("/api/v1/jobs").status_code == 200
    (line,) = requests_logged(json_log())
    assert line["workspace"] == owner.memberships.get().workspace.pk


def test_a_request_id_a_client_made_up_badly_is_replaced(client, json_log):
    response = client.get("/accounts/login/", HTTP_X_REQUEST_ID='x"\n{"forged": 1}')
    (line,) = requests_logged(json_log())
    assert line["request_id"] == response["X-Request-ID"] != 'x"\n{"forged": 1}' and "forged" not in line


def test_djangos_own_line_about_an_error_status_carries_the_request_id(client, json_log):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    (not_found,) = [line for line in json_log() if line["logger"] == "django.request"]
    assert not_found["message"] == "Not Found: /no-such-page" and not_found["request_id"] == response["X-Request-ID"]


def test_health_checks_are_logged_only_at_debug(client, json_log):
    client.get("/healthz")
    assert requests_logged(json_log()) == []


def test_text_logs_are_one_readable_line(capsys):
    config = dict(logging_config("text", "INFO", "WARNING")["formatters"]["structured"])
    formatter = config.pop("()")(**config)
    record = logging.LogRecord("renders.services", logging.INFO, __file__, 1, "render %s cancelled", ("abc",), None)
    with structlog.contextvars.bound_contextvars(job_id="abc", stage="narrate"):
        text = formatter.format(record)
    assert "render abc cancelled" in text and "job_id=abc" in text and "stage=narrate" in text and "\n" not in text


def test_an_unknown_log_format_is_refused_by_name():
    with pytest.raises(RuntimeError, match="LOG_FORMAT='xml' is not json or text"):
        logging_config("xml", "INFO", "WARNING")


@pytest.mark.urls("omnivibe.tests.urls")
@pytest.mark.django_db(transaction=True)  # the view's queries run on another thread's connection
async def test_under_asgi_the_workspace_bound_in_the_view_reaches_the_request_line(owner, json_log, async_client):
    from asgiref.sync import sync_to_async

    await sync_to_async(async_client.force_login)(owner)
    response = await async_client.get("/test/logs-a-warning")
    assert response.status_code == 200
    warning = next(line for line in json_log() if line["message"] == "something worth a look")
    (request,) = requests_logged(json_log())
    assert warning["request_id"] == request["request_id"] == response["X-Request-ID"]
    workspace_id = await sync_to_async(lambda: owner.memberships.get().workspace_id)()
    assert warning["workspace"] == request["workspace"] == workspace_id
    await sync_to_async(connections.close_all)()  # the thread's connection: PostgreSQL drops the test database after


@pytest.mark.django_db(transaction=True)
async def test_websockets_are_logged_by_the_application_whatever_the_server(owner_client, owner, json_log):
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.conf import settings

    from tests.factories import RenderJobFactory

    workspace = await sync_to_async(lambda: owner.memberships.get().workspace)()
    job = await sync_to_async(RenderJobFactory)(workspace=workspace)
    path = f"/ws/jobs/{job.public_id}/"
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    session = f"{settings.SESSION_COOKIE_NAME}={owner_client.session.session_key}".encode()
    for cookie in (b"", session):  # a stranger is refused; the owner watches, then leaves
        socket = WebsocketCommunicator(application, path, headers=[*headers, (b"cookie", cookie)])
        await socket.connect()
        await socket.disconnect()
    lines = [line for line in json_log() if line["logger"] == "omnivibe.websocket"]
    assert [(line["message"], line["path"]) for line in lines] == [
        ("websocket rejected", path),
        ("websocket connected", path),
        ("websocket disconnected", path),
    ]
    await sync_to_async(connections.close_all)()
