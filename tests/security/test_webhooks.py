"""Attacks through a job's callback URL: receivers that drip, redirect, flood or rebind their name."""

import socket
import ssl
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from ipaddress import ip_network

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django_q.conf import Conf
from django_q.models import OrmQ

from api.webhooks import deliver
from mediakit.text.script import Block
from renders import actions
from renders.models import RenderJob
from renders.services import create_job
from renders.worker import RENDER_TASK
from tests.factories import api_workspace

pytestmark = pytest.mark.django_db


class RawReceiver:
    """A TCP listener on 127.0.0.x that hands each connection to `answer` (a misbehaving HTTP server)."""

    def __init__(self, answer: Callable[[socket.socket], None], host: str = "127.0.0.1"):
        self.answer, self.connections = answer, 0
        self.listener = socket.create_server((host, 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"http://{host}:{self.port}/hook"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return  # closed
            self.connections += 1
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        try:
            connection.recv(65536)  # the request (small: one job's JSON)
            self.answer(connection)
        except OSError:
            pass  # the client hung up: what a webhook sender should do to a bad receiver
        finally:
            connection.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def receivers():
    opened: list[RawReceiver] = []

    def open_receiver(answer, host="127.0.0.1") -> RawReceiver:
        opened.append(RawReceiver(answer, host))
        return opened[-1]

    yield open_receiver
    for receiver in opened:
        receiver.close()


def drip(connection: socket.socket) -> None:
    for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n":
        connection.sendall(bytes([byte]))
        time.sleep(2)


def job_with_callback(owner, url: str) -> RenderJob:
    return RenderJob.objects.create(
        workspace=api_workspace(owner), title="Hook", blocks=[], status="running", options={"callback_url": url}
    )


def test_a_dripping_receiver_is_cut_off_at_the_deadline(owner, receivers, settings):
    settings.WEBHOOK_TIMEOUT = 3.0
    receiver = receivers(drip)
    started = time.monotonic()
    delivery = deliver(job_with_callback(owner, receiver.url).pk, 1)
    took = time.monotonic() - started
    assert delivery.error == "timed out" and not delivery.succeeded
    assert 2.5 < took < 4.5, took  # the whole attempt, not each read, is bounded
    assert delivery.next_attempt_at  # a timeout is retried later, like any failure


def test_a_webhook_and_a_short_narration_go_to_the_fast_lane_and_a_video_to_the_render_lane(
    owner, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(Conf, "SYNC", False)  # queue for real (ORM broker), as production does
    job = job_with_callback(owner, "https://example.com/hook")
    with django_capture_on_commit_callbacks(execute=True):
        actions.finish_job(job, {"duration": 1.0})
        short = create_job(workspace=job.workspace, blocks=[Block("Host", "Hi.")], title="Short", kind="audio")
        video = create_job(workspace=job.workspace, blocks=[Block("Host", "Hi.")], title="Video", kind="video")
    queued = {(row.key, row.task["name"]) for row in OrmQ.objects.all()}
    fast, renders = settings.FAST_CLUSTER, Conf.PREFIX
    assert {name for key, name in queued if key == fast} >= {f"render-{short.public_id}"}
    assert {name for key, name in queued if key == renders} == {f"render-{video.public_id}"}
    assert {key for key, _ in queued} == {fast, renders}
    assert {row.func() for row in OrmQ.objects.filter(key=fast)} == {"api.tasks.deliver_webhook", RENDER_TASK}


def test_a_redirect_is_not_followed(owner, receivers):
    target = receivers(lambda connection: connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))

    def redirect(connection: socket.socket) -> None:
        connection.sendall(f"HTTP/1.1 307 Temporary Redirect\r\nLocation: {target.url}\r\n\r\n".encode())

    delivery = deliver(job_with_callback(owner, receivers(redirect).url).pk, 1)
    assert delivery.status_code == 307 and not delivery.succeeded
    assert delivery.error == "HTTP 307: redirects are not followed"
    assert target.connections == 0


def test_a_huge_response_is_not_read(owner, receivers, settings):
    settings.WEBHOOK_TIMEOUT = 5.0
    sent = []

    def flood(connection: socket.socket) -> None:
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n")
        chunk = b"x" * 65536
        while sum(sent) < 1_000_000_000:  # 1 GB, unless the sender hangs up
            connection.sendall(chunk)
            sent.append(len(chunk))

    started = time.monotonic()
    delivery = deliver(job_with_callback(owner, receivers(flood).url).pk, 1)
    assert delivery.succeeded and delivery.status_code == 200
    assert time.monotonic() - started < 2  # answered on the status line, not after the body
    time.sleep(0.2)
    assert sum(sent) < 50_000_000  # the receiver was cut off: nothing like the gigabyte it offered


def test_a_name_that_rebinds_to_a_private_address_gets_the_address_that_was_checked(
    owner, receivers, settings, monkeypatch
):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_ALLOWED_NETWORKS = [ip_network("127.0.0.1/32")]  # "public" here
    answered = receivers(lambda connection: connection.sendall(b"HTTP/1.1 204 No Content\r\n\r\n"))
    inside = receivers(lambda connection: connection.sendall(b"HTTP/1.1 200 OK\r\n\r\n"), host="127.0.0.2")
    # The attacker's DNS: the first answer is the allowed address, every later one the private address.
    answers = iter(["127.0.0.1"])
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        if host != "hooks.attacker.test":
            return real_getaddrinfo(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.2")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    job = job_with_callback(owner, f"http://hooks.attacker.test:{answered.port}/hook")
    delivery = deliver(job.pk, 1)
    assert delivery.succeeded and delivery.status_code == 204
    assert answered.connections == 1 and inside.connections == 0


def test_a_private_address_outside_the_allowed_networks_is_not_posted(owner, receivers, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_ALLOWED_NETWORKS = [ip_network("127.0.0.1/32")]
    inside = receivers(lambda connection: connection.sendall(b"HTTP/1.1 200 OK\r\n\r\n"), host="127.0.0.2")
    delivery = deliver(job_with_callback(owner, inside.url).pk, 1)
    assert delivery.error == "not sent: the callback URL points at a private or reserved address"
    assert inside.connections == 0


@pytest.mark.parametrize(
    ("answer", "shown"),
    [
        (lambda connection: connection.sendall(b"HTTP/1.1 503 Service Unavailable\r\n\r\n"), "HTTP 503"),
        (
            lambda connection: connection.sendall(b"this is not HTTP\r\n\r\n"),
            "the connection broke or the response was not valid HTTP",
        ),
    ],
)
def test_failures_are_told_without_internal_details(owner, receivers, answer, shown):
    delivery = deliver(job_with_callback(owner, receivers(answer).url).pk, 1)
    assert not delivery.succeeded
    assert delivery.error == shown


def test_a_closed_port_says_connection_refused(owner):
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    delivery = deliver(job_with_callback(owner, f"http://127.0.0.1:{port}/hook").pk, 1)
    assert delivery.error == "connection refused"


def self_signed_certificate(directory, name: str) -> tuple[str, str]:

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


def test_https_receivers_have_their_certificate_verified_against_the_url_name(owner, monkeypatch, tmp_path):
    # The connection goes to the checked address, but TLS still checks the certificate for the URL's name:
    # a self-signed one (as an attacker's interception would present) is refused.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*self_signed_certificate(tmp_path, "hooks.example.test"))
    names_seen = []

    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        try:
            raw, _ = listener.accept()
        except OSError:
            return
        context.sni_callback = lambda sock, name, ctx: names_seen.append(name)
        try:
            with context.wrap_socket(raw, server_side=True):
                pass
        except (OSError, ssl.SSLError):
            pass  # the client refused the certificate

    threading.Thread(target=serve, daemon=True).start()
    real_getaddrinfo = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port_, *args, **kwargs: (
            [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_ or 0))]
            if host == "hooks.example.test"
            else real_getaddrinfo(host, port_, *args, **kwargs)
        ),
    )
    try:
        delivery = deliver(job_with_callback(owner, f"https://hooks.example.test:{port}/hook").pk, 1)
    finally:
        listener.close()
    assert delivery.error == "TLS certificate not valid for this host" and not delivery.succeeded
    assert names_seen == ["hooks.example.test"]  # SNI carried the URL's name, not the address
