"""The web server: daphne, with each request body counted while it arrives (`python -m omnivibe.serve`).

Takes daphne's own arguments. Twisted reads a whole request body (to memory or a temporary file) before daphne
passes the request on, so the limit must be applied here, in Twisted's request, not only in the application.

Daphne's access log is turned off: the application logs HTTP requests (with their request id) and WebSocket
connections itself (omnivibe/request_log.py), as under granian in production.
"""

from daphne import cli, http_protocol
from daphne.cli import CommandLineInterface

from omnivibe.body_limits import limit_for, too_large


class LimitedWebRequest(http_protocol.WebRequest):
    """Answers 413 and closes the connection as soon as a body is known to exceed its path's limit."""

    refused = False

    def gotLength(self, length: int | None) -> None:
        # Called once the headers are in: the path is known, no body byte has been read yet.
        self._limit_path = self.channel._path.split(b"?", 1)[0].decode("latin-1")
        self._limit = limit_for(self._limit_path)
        self._received = 0
        if length is not None and length > self._limit:
            self._refuse()
            return
        super().gotLength(length)

    def handleContentChunk(self, data: bytes) -> None:
        if self.refused:
            return  # the connection is closing; nothing more is kept
        self._received += len(data)
        if self._received > self._limit:  # chunked bodies declare no length: count them
            self._refuse()
            return
        super().handleContentChunk(data)

    def requestReceived(self, command: bytes, path: bytes, version: bytes) -> None:
        if not self.refused:
            super().requestReceived(command, path, version)

    def _refuse(self) -> None:
        self.refused = True
        status, headers, body = too_large(self._limit_path, self._limit)
        head = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.channel.transport.write(b"HTTP/1.1 %d Request Entity Too Large\r\n%s\r\n%s" % (status, head, body))
        self.channel.loseConnection()


class NoAccessLog:
    """Daphne calls its access log with each HTTP request and WebSocket event; the application logs them."""

    def __init__(self, stream: object) -> None:
        pass

    def __call__(self, protocol: str, action: str, details: dict) -> None:
        pass


http_protocol.WebRequest = LimitedWebRequest  # daphne's HTTPFactory builds its requests from this name
cli.AccessLogGenerator = NoAccessLog  # the name daphne's command line builds its access log from

if __name__ == "__main__":
    CommandLineInterface.entrypoint()
