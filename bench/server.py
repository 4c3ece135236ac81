"""gunicorn on 127.0.0.1 for the HTTP benchmarks, and a small HTTP client.

The app runs as in production (DEBUG off, the Procfile's gunicorn command, 3
workers) on the benchmark's throwaway database and the configured Redis; requests
come from the benchmark's own process (or its threads), as a browser's would through
a TLS-terminating proxy (``X-Forwarded-Proto: https``). Rate limits are off: the
benchmarks measure the app, not the limiter.
"""

import gc
import http.client
import json
import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("BENCH_WORKERS", 3))
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER'] or 'postgres'}{password}@{db['HOST'] or '127.0.0.1'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )


@contextmanager
def gunicorn(**env: str) -> Iterator[int]:
    """The Procfile's web process on a free port (yielded) until the block ends."""
    if connection.vendor != "postgresql" or not getattr(settings, "REDIS_URL", ""):
        raise SystemExit("HTTP benchmarks need DATABASE_URL (PostgreSQL) and REDIS_URL")
    port = _free_port()
    run_id = uuid.uuid4().hex[:8]
    environ = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")},
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DEBUG": "false",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(WORKERS),
        "RATELIMIT_ENABLE": "false",
        "LOG_LEVEL": "WARNING",
        "CONN_MAX_AGE": "60",
        # Production needs these; the benchmark sends no email (the outbox keeps it).
        "BOOKING_BASE_URL": "https://bench.example.com",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Its own names in Redis, removed afterwards.
        "CACHE_KEY_PREFIX": f"bench-{run_id}",
        "HUEY_NAME": f"bench-{run_id}",
        **env,
    }
    line = (ROOT / "Procfile").read_text().split("web:", 1)[1].splitlines()[0]
    argv = shlex.split(line)
    argv[0] = str(Path(sys.executable).parent / argv[0])
    static = tempfile.TemporaryDirectory(prefix="bench-static-")
    environ["STATIC_ROOT"] = static.name
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=environ,
        check=True,
    )
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
    process = subprocess.Popen(  # noqa: S603 (the Procfile's own command)
        argv, cwd=ROOT, env=environ, start_new_session=True, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(port, "/healthz")
                if status in (200, 503):
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace")[-4000:])
                raise SystemExit("gunicorn did not start")
            time.sleep(0.2)
        settle_client()
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        log.close()
        static.cleanup()
        _forget(run_id)


def settle_client() -> None:
    """Before timing: what this process holds so far (Django, the seeded data) out
    of its own garbage collector's sight, as the server's workers do
    (config/gunicorn.py). Otherwise a full collection in the *client*, tens of
    milliseconds with a heap this size, lands in whichever request it is timing."""
    gc.collect()
    gc.freeze()


def _forget(run_id: str) -> None:
    """Remove what the run left in Redis (cache entries, queued emails)."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in client.scan_iter(match=f"*bench-{run_id}*", count=1000):
        client.delete(key)


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    headers: dict | None = None,
) -> tuple[int, bytes]:
    """One request on a new connection (gunicorn's sync workers close each)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {**HEADERS, **(headers or {})}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def get(port: int, path: str, **headers: str) -> tuple[int, bytes]:
    return request(port, "GET", path, headers=headers)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]
