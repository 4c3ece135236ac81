"""Running the app as it is deployed, for tests/test_production.py.

The Procfile's commands as subprocesses (gunicorn and ``run_huey`` with DEBUG off),
a throwaway database of the suite's kind (a PostgreSQL database created and dropped
here under CI, a SQLite file otherwise), and a small HTTP client that talks to the
app as a browser behind a TLS-terminating proxy does (``X-Forwarded-Proto: https``,
cookies kept by hand because they are ``Secure``).
"""

import http.client
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Variables of the developer's or CI's shell that must not leak into the app.
CLEARED = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "SENDGRID_API_KEY",
    "SENDGRID_API_HOST",
    "EMAIL_FILE_PATH",
    "BOOKING_BASE_URL",
    "SENTRY_DSN",
    "ADMINS",
    "METRICS_TOKEN",
    "PROMETHEUS_MULTIPROC_DIR",
    "LOG_FORMAT",
    "HUEY_IMMEDIATE",
    "REQUIRE_SERVICES",
    "EMAIL_BACKEND",
    "ALLOW_LOCAL_MEMORY_CACHE",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what} after {timeout}s")


def procfile() -> dict[str, list[str]]:
    """The Procfile's commands, with ``python`` and ``gunicorn`` from this venv."""
    commands = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        argv = shlex.split(command)
        if argv[0] == "python":
            argv[0] = sys.executable
        elif (BIN / argv[0]).exists():
            argv[0] = str(BIN / argv[0])
        commands[name.strip()] = argv
    return commands


def base_environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        CONN_MAX_AGE="0",
    )
    if not env.get("REDIS_URL"):
        # Without the suite's Redis (a plain `make test`): the explicit opt-in for
        # a cache of each process's own. CI always runs this with Redis.
        env["ALLOW_LOCAL_MEMORY_CACHE"] = "true"
    env.update(values)
    return env


def run(argv: list[str], env: dict[str, str], *, timeout: float = 120) -> str:
    result = subprocess.run(
        argv,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (
        f"{shlex.join(argv)} failed:\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout + result.stderr


def postgres_server(url: str) -> dict:
    """``psycopg.connect``'s arguments for the PostgreSQL server of ``url``, on its
    ``postgres`` database and in autocommit: for creating and dropping others."""
    config = dj_database_url.parse(url)
    return {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }


@contextmanager
def temporary_database(directory: Path) -> Iterator[str]:
    """A new, empty database of the suite's kind; dropped afterwards."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{directory / 'production.sqlite3'}"
        return
    import psycopg

    name = f"smoke_{uuid.uuid4().hex[:12]}"
    server = postgres_server(url)
    with psycopg.connect(**server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urlsplit(url)
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(**server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.popen.poll() is None:
            os.kill(self.popen.pid, sig)  # the real pid: exec'd, no shell between
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)


def start(name: str, argv: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("w") as output:
        popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    return Process(name, popen, log)


# --- talking HTTP like a browser behind the TLS proxy ---------------------------------


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()

    def json(self):
        return json.loads(self.body)

    @property
    def location(self) -> str:
        """The redirect's path and query (the origin dropped)."""
        parts = urlsplit(self.headers.get("location", ""))
        return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Browser:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        body: dict | None = None,
        headers: dict | None = None,
    ) -> Response:
        sent = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",  # what the TLS-terminating proxy adds
            **(headers or {}),
        }
        data = None
        if form is not None:
            data = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        if method == "POST":
            sent.setdefault("Origin", self.origin)
            sent.setdefault("Referer", self.origin + path)
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request(method, path, body=data, headers=sent)
            answer = connection.getresponse()
            response = Response(
                answer.status,
                {k.lower(): v for k, v in answer.getheaders()},
                answer.read(),
            )
            for header, value in answer.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
        finally:
            connection.close()
        return response

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> Response:
        return self.request("POST", path, **kwargs)


CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(html: str) -> str:
    return CSRF_RE.search(html).group(1)


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if name in {"src", "href"} and value:
                self.found.add(value)


def static_references(html: str, static_prefix: str = "/static/") -> set[str]:
    """Every /static/ path a page's ``src`` and ``href`` attributes name (Swagger
    UI's page names its files in a script too)."""
    parser = _References()
    parser.feed(html)
    found = {urlsplit(ref).path for ref in parser.found}
    found |= set(re.findall(r"[\"'](/static/[^\"']+)[\"']", html))
    return {path for path in found if path.startswith(static_prefix)}
