"""The environment `make run` (and `make seed`) gives the app: one place for it.

    python -m config.localrun PORT COMMAND [ARG …]

runs COMMAND with that environment (the Makefile's ``seed`` and ``run`` do, and
tests/test_localrun.py starts the Procfile's processes with ``local_env``). The app
serves on ``PORT``, and every link it builds, in a page or in an email the worker
sends, starts with ``http://127.0.0.1:PORT`` unless ``BOOKING_BASE_URL`` is already
set (behind a tunnel, say). This module must not load Django's settings.
"""

import os
import sys
from collections.abc import Mapping
from pathlib import Path

LOCAL_HOST = "127.0.0.1"


def local_base_url(port: int | str) -> str:
    return f"http://{LOCAL_HOST}:{int(port)}"


def local_env(
    port: int | str, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``environ`` (default: this process's) with what `make run` adds to it: PORT,
    the base URL of the links on that port, and this Python's scripts on PATH."""
    env = dict(os.environ if environ is None else environ)
    port = str(int(port))
    scripts = str(Path(sys.executable).parent)
    env["PORT"] = port
    env["PATH"] = os.pathsep.join([scripts, env.get("PATH", "")]).rstrip(os.pathsep)
    if not env.get("BOOKING_BASE_URL", "").strip():
        env["BOOKING_BASE_URL"] = local_base_url(port)
    return env


def main(argv: list[str]) -> None:
    if len(argv) < 2 or not argv[0].isdigit():
        sys.exit("usage: python -m config.localrun PORT COMMAND [ARG …]")
    port, command = argv[0], argv[1:]
    os.execvpe(command[0], command, local_env(port))  # noqa: S606


if __name__ == "__main__":  # pragma: no cover - exec replaces the process
    main(sys.argv[1:])
