"""The client on its own, against httpx's mock transport: retries, errors, exit codes."""

import functools
from collections.abc import Callable

import httpx
import pytest
from omnivibe_client import ApiError, AuthError, Client, QuotaExceeded, cli


def error(status: int, code: str, message: str = "nope", headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, json={"error": {"code": code, "message": message, "details": {}}}, headers=headers)


def client_for(handler, **kwargs) -> Client:
    return Client("http://omnivibe.test", "ov_key", transport=httpx.MockTransport(handler), backoff=0, **kwargs)


def test_it_retries_429_honouring_retry_after(monkeypatch):
    sleeps, answers = [], [error(429, "rate_limited", headers={"Retry-After": "2"}), error(503, "down")]
    monkeypatch.setattr("omnivibe_client.client.time.sleep", sleeps.append)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["Authorization"] == "Bearer ov_key"
        return answers.pop(0) if answers else httpx.Response(200, json={"id": "j1", "status": "queued"})

    assert client_for(handler).get_job("j1")["status"] == "queued"
    assert sleeps == [2.0, 0]


def test_it_gives_up_after_max_retries(monkeypatch):
    monkeypatch.setattr("omnivibe_client.client.time.sleep", lambda seconds: None)
    with pytest.raises(ApiError) as raised:
        client_for(lambda request: error(500, "server_error"), max_retries=2).list_jobs()
    assert raised.value.status == 500


def test_errors_map_to_exceptions():
    with pytest.raises(AuthError):
        client_for(lambda request: error(401, "authentication_failed")).list_speakers()
    with pytest.raises(QuotaExceeded) as raised:
        client_for(lambda request: error(402, "quota_exceeded", "No minutes left.")).synthesize("Host: Hi.")
    assert raised.value.message == "No minutes left."


def test_wait_reports_progress_until_the_end(monkeypatch):
    monkeypatch.setattr("omnivibe_client.client.time.sleep", lambda seconds: None)
    states = iter([("running", 10), ("running", 60), ("succeeded", 100)])

    def handler(request):
        status, percent = next(states)
        return httpx.Response(200, json={"id": "j1", "status": status, "percent": percent})

    seen = []
    job = client_for(handler).wait("j1", on_progress=lambda job: seen.append(job["percent"]))
    assert job["status"] == "succeeded" and seen == [10, 60, 100]


@pytest.mark.parametrize(
    ("response", "code", "words"),
    [
        (error(402, "quota_exceeded", "No minutes left."), cli.EXIT_QUOTA, "Quota exceeded"),
        (error(401, "authentication_failed"), cli.EXIT_AUTH, "API key was refused"),
        (error(404, "not_found"), cli.EXIT_NOT_FOUND, "Not found"),
        (error(400, "invalid", "script: line 1: bad"), cli.EXIT_API, "line 1"),
    ],
)
def test_cli_exit_codes(monkeypatch, capsys, response, code, words):
    monkeypatch.setattr(cli, "Client", functools.partial(Client, transport=httpx.MockTransport(lambda r: response)))
    assert cli.main(["--url", "http://x", "--api-key", "k", "jobs", "show", "j1"]) == code
    assert words in capsys.readouterr().err


def test_cli_explains_connection_errors(capsys):
    assert cli.main(["--url", "http://127.0.0.1:9", "--api-key", "k", "jobs", "list"]) == cli.EXIT_CONNECTION
    assert "Cannot connect" in capsys.readouterr().err


def test_cli_needs_a_url_and_key(monkeypatch, capsys):
    monkeypatch.delenv("OMNIVIBE_URL", raising=False)
    monkeypatch.delenv("OMNIVIBE_API_KEY", raising=False)
    assert cli.main(["jobs", "list"]) == cli.EXIT_USAGE


def cli_against(monkeypatch, handler) -> Callable[[list[str]], int]:
    monkeypatch.setattr(cli, "Client", functools.partial(Client, transport=httpx.MockTransport(handler), backoff=0))
    return lambda argv: cli.main(["--url", "http://x", "--api-key", "k", *argv])


def test_cli_refuses_invalid_json_without_a_traceback(monkeypatch, capsys, tmp_path):
    run = cli_against(monkeypatch, lambda request: pytest.fail("nothing should be sent"))
    assert run(["speakers", "register", "Host", "--settings", "{speed: 1}"]) == cli.EXIT_USAGE
    assert "--settings is not valid JSON" in capsys.readouterr().err
    script = tmp_path / "episode.json"
    script.write_text('{"blocks": [')
    assert run(["synthesize", str(script)]) == cli.EXIT_USAGE
    assert "episode.json is not valid JSON" in capsys.readouterr().err


def test_cli_reports_timeouts_as_connection_errors(monkeypatch, capsys):
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    assert cli_against(monkeypatch, handler)(["jobs", "show", "j1"]) == cli.EXIT_CONNECTION
    assert "Cannot connect" in capsys.readouterr().err


def test_cli_download_explains_an_expired_link(monkeypatch, capsys, tmp_path):
    def handler(request):
        if request.url.path.startswith("/api/v1/files/"):  # streamed, as a real server's body is
            body = error(403, "link_expired", "This download link has expired.").content
            return httpx.Response(403, headers={"Content-Type": "application/json"}, stream=httpx.ByteStream(body))
        outputs = [{"kind": "mp3", "size": 3, "url": "http://x/api/v1/files/t", "expires_at": ""}]
        return httpx.Response(200, json={"id": "j1", "status": "succeeded", "outputs": outputs})

    assert cli_against(monkeypatch, handler)(["download", "j1", "--to", str(tmp_path)]) == cli.EXIT_API
    assert "Error (403 link_expired): This download link has expired." in capsys.readouterr().err


def test_cli_download_leaves_no_partial_file(monkeypatch, capsys, tmp_path):
    def handler(request):
        if request.url.path.startswith("/api/v1/files/"):
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        outputs = [{"kind": "mp3", "size": 3, "url": "http://x/api/v1/files/t", "expires_at": ""}]
        return httpx.Response(200, json={"id": "j1", "status": "succeeded", "outputs": outputs})

    assert cli_against(monkeypatch, handler)(["download", "j1", "--to", str(tmp_path)]) == cli.EXIT_CONNECTION
    assert "broke off" in capsys.readouterr().err and not list(tmp_path.iterdir())


def test_submissions_are_retried_with_one_idempotency_key(monkeypatch):
    monkeypatch.setattr("omnivibe_client.client.time.sleep", lambda seconds: None)
    keys, answers = [], [httpx.ConnectError("connection reset"), error(502, "bad_gateway")]

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        answer = answers.pop(0) if answers else httpx.Response(202, json={"id": "j1", "status": "queued"})
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = client_for(handler)
    assert client.render("Host: Hi.")["id"] == "j1"
    assert len(keys) == 3 and len(set(keys)) == 1  # the server sees one request, tried three times
    client.synthesize("Host: Hi.")
    assert keys[-1] != keys[0]  # a new call is a new request


def test_jobs_are_listed_with_the_search_and_campaign_given():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(dict(request.url.params))
        return httpx.Response(200, json={"results": [{"id": "j1"}], "next": None})

    assert client_for(handler).list_jobs(query="coffee", campaign=3) == [{"id": "j1"}]
    assert seen == [{"q": "coffee", "campaign": "3", "page_size": "100"}]
