"""A local stand-in for the SendGrid v3 API that the real ``sendgrid`` client posts to.

It records every ``POST /v3/mail/send`` body and answers with the status codes it is
told to (202 by default), so tests can assert on what arrived and exercise retries;
it can also hold a request without answering (``stall``), before or after recording
it, until the test releases it.
"""

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: dict

    @property
    def to(self) -> list[str]:
        return [to["email"] for p in self.body["personalizations"] for to in p["to"]]

    @property
    def subject(self) -> str:
        return self.body.get("subject", "")

    def content(self, mimetype: str) -> str:
        for part in self.body.get("content", []):
            if part["type"] == mimetype:
                return part["value"]
        raise KeyError(mimetype)

    @property
    def text(self) -> str:
        return self.content("text/plain")

    @property
    def html(self) -> str:
        return self.content("text/html")

    @property
    def attachments(self) -> list[dict]:
        return self.body.get("attachments", [])


@dataclass
class FakeSendGrid:
    host: str = ""
    received: list[Received] = field(default_factory=list)
    # Status codes to answer with, in order; once empty every request gets 202.
    responses: deque[int] = field(default_factory=deque)
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Requests to hold without an answer until ``release()``, in order: "before"
    # records nothing (lost on the way: the sender times out), "after" records the
    # email first (accepted, but the answer never comes back in time).
    stalls: deque[str] = field(default_factory=deque)
    released: threading.Event = field(default_factory=threading.Event)
    stalled: int = 0  # requests held so far

    def answer_with(self, *codes: int) -> None:
        self.responses.extend(codes)

    def stall(self, *when: str) -> None:
        assert set(when) <= {"before", "after"}
        self.stalls.extend(when)

    def release(self) -> None:
        self.released.set()

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.responses.clear()
            self.stalls.clear()
            self.attempts = 0


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            with fake.lock:
                fake.attempts += 1
                stall = fake.stalls.popleft() if fake.stalls else None
                code = fake.responses.popleft() if fake.responses else 202
                if self.path != "/v3/mail/send":
                    code = 404
                elif not self.headers.get("Authorization", "").startswith("Bearer "):
                    code = 401
                if code == 202 and stall != "before":
                    fake.received.append(
                        Received(
                            self.path, dict(self.headers), json.loads(raw or b"{}")
                        )
                    )
                if stall:
                    fake.stalled += 1
            if stall:
                fake.released.wait(timeout=60)
            body = (
                b""
                if code == 202
                else json.dumps(
                    {"errors": [{"message": f"fake SendGrid answered {code}"}]}
                ).encode()
            )
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # a stalled sender gave up (timed out, or was killed)

        def log_message(self, *args) -> None:  # keep test output clean
            pass

    return Handler


class FakeSendGridServer:
    def __init__(self) -> None:
        self.fake = FakeSendGrid()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self.fake))
        self.fake.host = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeSendGrid:
        self.thread.start()
        return self.fake

    def __exit__(self, *exc) -> None:
        self.fake.release()  # no handler thread left waiting
        self.server.shutdown()
        self.server.server_close()
