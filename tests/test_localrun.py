"""`PORT=8411 make run` serves on that port and every link it builds points there.

The test asks make itself for the commands `make run` runs (``make --dry-run``), runs
them as they are, on a free port and a new database, and then uses the app as a
client and its owner would: the links seed_demo prints, a booking through the
public API (its ``manage_url``), the email the worker sends, the dashboard's link
card, widget snippet and calendar feed.
"""

import os
import re
import shlex
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from config.localrun import local_base_url, local_env, main
from tests.production import (
    CLEARED,
    ROOT,
    Browser,
    csrf_token,
    free_port,
    run,
    start,
    temporary_database,
    wait_for,
)
from tests.test_config import run_with

# `make run` keeps the real clock (docs/DEVELOPMENT.md).
pytestmark = pytest.mark.real_clock

SLUG = "swim-school-pro"
PASSWORD = "a-demo-password-for-the-port-test"
PY = f"PY={sys.executable}"


def make_run_commands(port: int) -> list[list[str]]:
    """The commands `make run PORT=<port>` runs after installing, in order."""
    dry = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", f"PORT={port}", PY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in dry.splitlines() if line.startswith(sys.executable)]
    return [shlex.split(line) for line in lines]


def developer_shell(tmp: Path, database_url: str) -> dict[str, str]:
    """A developer's shell with nothing of production set: DEBUG on, as `make run`
    meets it; the database new, emails written to files, the queue in a file."""
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=database_url,
        EMAIL_FILE_PATH=str(tmp / "emails"),
        HUEY_SQLITE_PATH=str(tmp / "huey.sqlite3"),
        DEMO_PASSWORD=PASSWORD,
        WEB_CONCURRENCY="1",
    )
    return env


def test_local_env_adds_the_port_and_its_links():
    env = local_env(8411, {"PATH": "/usr/bin"})
    assert env["PORT"] == "8411"
    assert env["BOOKING_BASE_URL"] == "http://127.0.0.1:8411"
    assert env["PATH"].split(os.pathsep)[0] == str(Path(sys.executable).parent)
    tunnel = local_env(8411, {"BOOKING_BASE_URL": "https://dev.example.com"})
    assert tunnel["BOOKING_BASE_URL"] == "https://dev.example.com"


def test_localrun_refuses_a_missing_port():
    result = subprocess.run(
        [sys.executable, "-m", "config.localrun", "honcho"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "usage: python -m config.localrun PORT COMMAND" in result.stderr


def test_make_run_on_another_port_builds_every_link_on_it(tmp_path):
    port = free_port()
    base = local_base_url(port)
    migrate, seed, serve = make_run_commands(port)
    assert serve[-6:] == ["honcho", "start", "-f", "Procfile", "web", "worker"]
    with temporary_database(tmp_path) as database_url:
        env = developer_shell(tmp_path, database_url)
        run(migrate, env)
        printed = run(seed, env)
        assert f"Booking link: {base}/book/{SLUG}/" in printed
        assert f"Dashboard:    {base}/dashboard/" in printed
        app = start("make run", serve, env, tmp_path / "run.log")
        try:
            client = Browser(port)
            wait_for(
                lambda: _answers(client, f"/book/{SLUG}/"),
                timeout=60,
                what=f"the app on port {port}\n{app.output()}",
            )
            _book_through_the_api(client, base, tmp_path / "emails")
            _owner_pages_link_to_the_port(client, base)
        finally:
            app.stop()
    assert app.popen.returncode is not None


def other_port(port: int, text: str) -> str | None:
    """A link in ``text`` to this machine on any port but ``port``."""
    found = re.search(rf"127\.0\.0\.1:(?!{port}\b)\d+", text)
    return found and found.group(0)


def _answers(client: Browser, path: str) -> bool:
    try:
        return client.get(path).status == 200
    except OSError:
        return False


def _book_through_the_api(client: Browser, base: str, emails: Path) -> None:
    api = f"/api/booking/public/{SLUG}"
    service = client.get(f"{api}/services/").json()[0]
    start_date = date.today() + timedelta(days=3)  # seed_demo books from day 3 on
    week = client.get(
        f"{api}/availability/?service_id={service['id']}"
        f"&start_date={start_date}&end_date={start_date + timedelta(days=13)}"
    ).json()
    session_id = next(slot for day in week.values() for slot in day)["session_id"]
    booked = client.post(
        f"{api}/book/",
        body={
            "session_id": session_id,
            "client_name": "Port Tester",
            "client_email": "port.tester@example.com",
        },
    )
    assert booked.status == 201, booked.text
    manage_url = booked.json()["manage_url"]
    assert manage_url.startswith(f"{base}/bookings/")
    path = manage_url.removeprefix(base)
    assert client.get(path).status == 200

    # The worker sends the confirmation; its links and calendar file on the port.
    def confirmation() -> str:
        sent = [p.read_text() for p in emails.glob("*.log")] if emails.exists() else []
        return next((m for m in sent if "\nTo: port.tester@example.com" in m), "")

    email = wait_for(confirmation, timeout=60, what="the confirmation email")
    assert manage_url in email
    assert not other_port(client.port, email)


def _owner_pages_link_to_the_port(client: Browser, base: str) -> None:
    login = client.get("/accounts/login/")
    answer = client.post(
        "/accounts/login/",
        form={
            "csrfmiddlewaretoken": csrf_token(login.text),
            "username": "owner@example.com",
            "password": PASSWORD,
        },
        headers={"Referer": f"{client.origin}/accounts/login/"},
    )
    assert answer.status == 302, answer.text
    home = client.get("/dashboard/")
    while home.status == 302:
        home = client.get(home.location)
    business_id = re.search(r"/dashboard/(\d+)/", home.text).group(1)
    link = client.get(f"/dashboard/{business_id}/link/").text
    assert f'value="{base}/book/{SLUG}/"' in link
    assert f"{base}/static/js/embed.js" in link
    settings_page = client.get(f"/dashboard/{business_id}/settings/").text
    assert f'value="{base}/calendar/' in settings_page
    assert not other_port(client.port, link)


def test_links_follow_the_request_only_in_development_without_a_base_url():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.BOOKING_BASE_URL_FROM_REQUEST)"
    )

    def from_request(**env) -> str:
        result = run_with(["-c", probe], **env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert from_request() == "True"
    assert from_request(BOOKING_BASE_URL="http://127.0.0.1:8411") == "False"
    production = {
        "SECRET_KEY": "x7#kP2!" * 10,
        "ALLOWED_HOSTS": "book.example.com",
        "BOOKING_BASE_URL": "https://book.example.com",
        "SENDGRID_API_KEY": "SG.x",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    assert from_request(**production) == "False"
    assert from_request(DEBUG="true", SECRET_KEY="x7#kP2!" * 10) == "True"


def test_localrun_main_names_its_usage():
    with pytest.raises(SystemExit, match=r"usage: python -m config\.localrun"):
        main(["honcho", "start"])
