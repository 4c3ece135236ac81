"""A local stand-in for Sentry's ingestion API that the real ``sentry-sdk`` posts to.

Point ``SENTRY_DSN`` at ``fake.dsn``; every envelope the SDK sends
(``POST /api/<project>/envelope/``, gzip or not) is kept whole (``raw``, for scanning
what left the app) and parsed into its items (``events``: the error events' JSON).
"""

import gzip
import json
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeSentry:
    dsn: str = ""
    raw: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for_events(self, count: int, timeout: float = 20.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.events) >= count:
                    return list(self.events)
            time.sleep(0.05)
        raise AssertionError(
            f"Sentry received {len(self.events)} event(s), expected {count}"
        )


def parse_envelope(body: str) -> list[tuple[dict, str]]:
    """[(item header, payload)] of a Sentry envelope (newline-separated JSON)."""
    lines = body.split("\n")
    items = []
    index = 1  # line 0 is the envelope's header
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        header = json.loads(lines[index])
        items.append((header, lines[index + 1] if index + 1 < len(lines) else ""))
        index += 2
    return items


def _decode(raw: bytes, encoding: str) -> str:
    if encoding == "gzip":
        raw = gzip.decompress(raw)
    elif encoding == "deflate":
        raw = zlib.decompress(raw)
    return raw.decode()


def _handler(fake: FakeSentry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            body = _decode(
                self.rfile.read(length), self.headers.get("Content-Encoding", "")
            )
            with fake.lock:
                fake.raw.append(body)
                for header, payload in parse_envelope(body):
                    if header.get("type") == "event":
                        fake.events.append(json.loads(payload))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format, *args) -> None:  # keep test output quiet
            pass

    return Handler


class FakeSentryServer:
    def __init__(self) -> None:
        self.fake = FakeSentry()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        port = self.server.server_address[1]
        self.fake.dsn = f"http://public@127.0.0.1:{port}/1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSentry:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
