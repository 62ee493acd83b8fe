"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) that records every request and
answers from a script: e.g. fail twice, then succeed."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webhooks import services
from webhooks.models import Endpoint


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *responses: int | tuple) -> None:
        """Queue answers: a status, or (status, headers, body). When empty: 200 "ok"."""
        for r in responses:
            self.script.append(r if isinstance(r, tuple) else (r, {}, f"status {r}".encode()))

    def next_answer(self) -> tuple[int, dict[str, str], bytes]:
        return self.script.pop(0) if self.script else (200, {}, b"ok")


@pytest.fixture
def receiver():
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 — http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            rec.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            status, headers, payload = rec.next_answer()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint_for():
    def make(user, datanet, url: str, events: list[str] | None = None, scope: str = "mine") -> Endpoint:
        return services.endpoint_create(datanet=datanet, actor=user, url=url, scope=scope,
                                        events=events or ["submission.processed"])

    return make
