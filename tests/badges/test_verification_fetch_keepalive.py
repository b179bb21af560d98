"""SafeFetcher against servers that keep the connection open after the response (HTTP/1.1
keep-alive, as gunicorn does): the body ends at Content-Length, not when the server hangs up."""

import socket
import threading
import time

import pytest

from badges.verification import FetchError, SafeFetcher

HOLD_SECONDS = 3.0


class KeepAliveServer:
    """Answers one request with ``head`` + ``body`` on raw HTTP/1.1 and then holds the
    connection open for HOLD_SECONDS before closing it."""

    def __init__(self, body: bytes, *, length: int | None = None):
        self.body = body
        self.length = len(body) if length is None else length
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.listener.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/doc"

    def _serve(self) -> None:
        try:
            connection, _ = self.listener.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {self.length}\r\nConnection: keep-alive\r\n\r\n"
            )
            connection.sendall(head.encode("ascii") + self.body)
            time.sleep(HOLD_SECONDS)


def test_a_keep_alive_response_is_read_up_to_its_content_length_without_waiting():
    body = b'{"id": "did:web:example.org", "x": "' + b"a" * 20_000 + b'"}'
    with KeepAliveServer(body) as server:
        started = time.monotonic()
        response = SafeFetcher(allow_loopback=True).get(server.url)
        elapsed = time.monotonic() - started
    assert response.body == body
    assert elapsed < HOLD_SECONDS / 3


def test_a_declared_length_over_the_limit_is_refused_before_reading():
    with KeepAliveServer(b"{}", length=10_000_000) as server:
        with pytest.raises(FetchError) as raised:
            SafeFetcher(allow_loopback=True, max_bytes=1000).get(server.url)
    assert raised.value.code == "too_large"
