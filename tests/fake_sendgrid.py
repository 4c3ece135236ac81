"""A local stand-in for the SendGrid v3 API that the real ``sendgrid`` client posts to.

It records every ``POST /v3/mail/send`` body and answers with the status codes it is
told to (202 by default), so tests can assert on what arrived and exercise retries.
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

    def answer_with(self, *codes: int) -> None:
        self.responses.extend(codes)

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.responses.clear()
            self.attempts = 0


def _handler(fake: FakeSendGrid) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            with fake.lock:
                fake.attempts += 1
                code = fake.responses.popleft() if fake.responses else 202
                if self.path != "/v3/mail/send":
                    code = 404
                elif not self.headers.get("Authorization", "").startswith("Bearer "):
                    code = 401
                if code == 202:
                    fake.received.append(
                        Received(
                            self.path, dict(self.headers), json.loads(raw or b"{}")
                        )
                    )
            body = (
                b""
                if code == 202
                else json.dumps(
                    {"errors": [{"message": f"fake SendGrid answered {code}"}]}
                ).encode()
            )
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

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
        self.server.shutdown()
        self.server.server_close()
