"""The production path, as docs/DEPLOYMENT.md tells an operator to run it.

``make build`` into a temporary ``STATIC_ROOT``, the Procfile's ``release`` (migrate)
on a new database of the suite's kind, the demo data, then the Procfile's ``web``
(gunicorn, two worker processes, DEBUG off, ``SECRET_KEY``/``ALLOWED_HOSTS`` set) and
``worker`` (run_huey). Requests come as through a TLS-terminating proxy
(``X-Forwarded-Proto: https``; HTTPS redirects and secure cookies stay on).

One journey runs once for the module: a booking through the public pages and one
through the API, a refused one, a cancellation, the owner's login, calendar feed,
an invitation and a password reset (their emails go through the worker to a fake
SendGrid, and their links are followed). The tests then check what it left: pages,
static files, /healthz, /metrics and the logs of every process.
"""

import json
import re
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.fake_sendgrid import FakeSendGridServer
from tests.fake_sentry import FakeSentryServer
from tests.production import (
    ROOT,
    Browser,
    Process,
    Response,
    base_environment,
    csrf_token,
    free_port,
    procfile,
    run,
    start,
    static_references,
    temporary_database,
    wait_for,
)

# Gunicorn and the worker keep the real clock (docs/DEVELOPMENT.md).
pytestmark = pytest.mark.real_clock

SLUG = "swim-school-pro"
OWNER = "owner@example.com"
PASSWORD = "smoke-test-Pa55word"
METRICS_TOKEN = "metrics-token-for-the-smoke-test"
CLIENT = {
    "client_name": "Zelda Quixote",
    "client_email": "zelda.quixote@example.net",
    "client_phone": "+44 7700 900123",
    "notes": "First lesson",
}
API_CLIENT = {
    "client_name": "Yusuf Brightwater",
    "client_email": "yusuf.brightwater@example.org",
    "client_phone": "+1 202 555 0147",
}
STAFF = "wren.staffmember@example.com"
HASHED = re.compile(r"\.[0-9a-f]{12}\.\w+(\.gz|\.br)?$")


@dataclass
class App:
    port: int
    env: dict
    web: Process
    worker: Process
    static_root: Path
    sendgrid: object
    pages: dict[str, Response] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=dict)
    refused_code: str = ""

    def browser(self) -> Browser:
        return Browser(self.port)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """Build, release, seed and serve; stopped (by pid) and dropped afterwards."""
    tmp = tmp_path_factory.mktemp("production")
    port = free_port()
    queue = f"smoke{time.time_ns()}"
    with temporary_database(tmp) as database_url, FakeSendGridServer() as sendgrid:
        env = base_environment(
            DATABASE_URL=database_url,
            STATIC_ROOT=str(tmp / "static"),
            HOST="127.0.0.1",
            PORT=str(port),
            WEB_CONCURRENCY="2",
            BOOKING_BASE_URL=f"https://127.0.0.1:{port}",
            SENDGRID_API_KEY="SG.smoke-test",
            SENDGRID_API_HOST=sendgrid.host,
            DEMO_PASSWORD=PASSWORD,
            METRICS_TOKEN=METRICS_TOKEN,
            PROMETHEUS_MULTIPROC_DIR=str(tmp / "metrics"),
            HUEY_NAME=queue,
            HUEY_WORKERS="1",
            HUEY_SQLITE_PATH=str(tmp / "huey.sqlite3"),
            CACHE_KEY_PREFIX=queue,
        )
        commands = procfile()
        # The documented build, with this interpreter's virtualenv.
        run(["make", "build", f"VENV={Path(sys.executable).parent.parent}"], env)
        run(commands["release"], env)
        run([commands["release"][0], "manage.py", "seed_demo"], env)
        web = start("web", commands["web"], env, tmp / "web.log")
        worker = start("worker", commands["worker"], env, tmp / "worker.log")
        app = App(port, env, web, worker, tmp / "static", sendgrid)
        try:
            wait_for(
                lambda: _answers(app), timeout=30, what="gunicorn to answer /healthz"
            )
            yield app
        finally:
            web.stop(signal.SIGTERM)
            worker.stop(signal.SIGINT)  # graceful: finishes the task at hand
            if env.get("REDIS_URL"):
                client = redis.Redis.from_url(env["REDIS_URL"])
                for key in client.scan_iter(f"*{queue}*"):
                    client.delete(key)


def _answers(app: App) -> bool:
    for process in (app.web, app.worker):
        assert process.popen.poll() is None, (
            f"{process.name} stopped:\n{process.output()}"
        )
    try:
        return app.browser().get("/healthz").status == 200
    except OSError:
        return False


def _links(html: str, pattern: str) -> list[str]:
    return re.findall(pattern, html)


@pytest.fixture(scope="module")
def journey(app: App) -> App:
    """Everything a client, an owner and a new team member do, once."""
    client = app.browser()
    pages = app.pages
    pages["booking link"] = client.get(f"/book/{SLUG}/")
    services = client.get(f"/api/booking/public/{SLUG}/services/").json()
    lesson = next(s for s in services if s["name"] == "Private Swimming Lesson")
    week_url = f"/book/{SLUG}/service/{lesson['id']}/"
    pages["week"] = client.get(week_url)
    pages["week fragment"] = client.get(week_url, headers={"HX-Request": "true"})
    times = _links(pages["week fragment"].text, rf"/book/{SLUG}/time/(\d+)/")
    assert times, pages["week fragment"].text
    details_url = f"/book/{SLUG}/time/{times[0]}/"
    pages["details"] = client.get(details_url)
    token = re.search(r'name="token" value="([^"]+)"', pages["details"].text)[1]
    booked = client.post(details_url, form={**CLIENT, "token": token, "website": ""})
    assert booked.status == 303, booked.text
    manage_url = booked.location
    app.secrets["booking token"] = manage_url.split("/")[2]
    pages["private page"] = client.get(manage_url)
    pages["calendar file"] = client.get(manage_url.split("?")[0] + "calendar.ics")

    # The API: availability, a booking, and one refused (that time is taken now).
    api = f"/api/booking/public/{SLUG}"
    free = client.get(f"{api}/availability/?service_id={lesson['id']}").json()
    session_id = next(slot for day in free.values() for slot in day)["session_id"]
    by_api = client.post(f"{api}/book/", body={"session_id": session_id, **API_CLIENT})
    assert by_api.status == 201, by_api.text
    app.secrets["API booking token"] = by_api.json()["manage_url"].split("/")[-2]
    refused = client.post(
        f"{api}/book/", body={"session_id": int(times[0]), **API_CLIENT}
    )
    assert refused.status == 409, refused.text
    app.refused_code = refused.json()["code"]

    # The client cancels from the private page.
    cancel_url = manage_url.split("?")[0] + "cancel/"
    pages["cancel"] = client.get(cancel_url)
    assert client.post(cancel_url, form={}).status == 303

    # The owner signs in, finds the calendar feed and invites a team member.
    owner = app.browser()
    pages["dashboard login"] = owner.get("/accounts/login/")
    signed_in = owner.post(
        "/accounts/login/",
        form={
            "username": OWNER,
            "password": PASSWORD,
            "csrfmiddlewaretoken": csrf_token(pages["dashboard login"].text),
        },
    )
    assert signed_in.status == 302, signed_in.text
    pages["dashboard"] = owner.get(owner.get("/dashboard/").location)
    business_id = re.search(r"/dashboard/(\d+)/", pages["dashboard"].text)[1]
    settings_page = pages["dashboard settings"] = owner.get(
        f"/dashboard/{business_id}/settings/"
    )
    feed = re.search(r"/calendar/([^/\"<>]+)\.ics", settings_page.text)
    app.secrets["calendar feed token"] = feed[1]
    pages["calendar feed"] = client.get(feed[0])
    members = owner.get(f"/dashboard/{business_id}/members/")
    invited = owner.post(
        f"/dashboard/{business_id}/members/invite/",
        form={
            "email": STAFF,
            "role": "staff",
            "csrfmiddlewaretoken": csrf_token(members.text),
        },
    )
    assert invited.status == 302, invited.text

    # Someone asks for a password reset.
    stranger = app.browser()
    reset_form = stranger.get("/accounts/password_reset/")
    asked = stranger.post(
        "/accounts/password_reset/",
        form={"email": OWNER, "csrfmiddlewaretoken": csrf_token(reset_form.text)},
    )
    assert asked.status == 302, asked.text

    # A periodic job, run by the worker like the scheduler runs it.
    run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from booking.tasks import expire_bookings; expire_bookings()",
        ],
        app.env,
    )

    # The worker sends every email and runs the job; then the links are followed.
    def settled():
        health = client.get("/healthz").json()
        done = health["jobs"]["expire_bookings"]["last_success"] is not None
        idle = health["outbox"]["queued"] == 0 and health["queue"]["pending"] == 0
        return done and idle and health

    pages["healthz"] = client.get("/healthz")
    wait_for(settled, timeout=30, what="the worker to send every email")
    pages["healthz"] = client.get("/healthz")
    reset_link = _link_in_email(app, OWNER, r"/accounts/reset/[^\s\"<>]+")
    app.secrets["password reset link"] = reset_link.split("/accounts/reset/")[1]
    set_password = stranger.get(reset_link)
    assert set_password.status == 302, set_password.text
    pages["password reset"] = stranger.get(set_password.location)
    invitation = _link_in_email(app, STAFF, r"/accounts/invitation/[^\s\"<>]+")
    app.secrets["invitation token"] = invitation.split("/")[3]
    pages["invitation"] = app.browser().get(invitation)
    pages["API docs"] = client.get("/api/docs")
    return app


def _link_in_email(app: App, to: str, pattern: str) -> str:
    found = [re.search(pattern, e.text) for e in app.sendgrid.received if to in e.to]
    (link,) = [match[0] for match in found if match]
    return link


def _scrape(app: App, token: str | None = METRICS_TOKEN) -> Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return app.browser().get("/metrics", headers=headers)


def _samples(text: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: dict, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


# --- the pages and their static files -------------------------------------------------


def test_every_page_answers_200_with_debug_off(journey: App):
    expected = [
        "booking link",
        "week",
        "week fragment",
        "details",
        "private page",
        "calendar file",
        "cancel",
        "dashboard login",
        "dashboard",
        "dashboard settings",
        "calendar feed",
        "password reset",
        "invitation",
        "API docs",
        "healthz",
    ]
    statuses = {name: journey.pages[name].status for name in expected}
    assert statuses == dict.fromkeys(expected, 200)
    # The HTMX request got the fragment, the plain one the whole page.
    assert "<html" in journey.pages["week"].text
    assert "<html" not in journey.pages["week fragment"].text
    # DEBUG is off: an unknown page is the friendly 404, with no debug details.
    missing = journey.browser().get("/no-such-page/")
    assert missing.status == 404
    assert "URLconf" not in missing.text


def test_every_page_carries_the_content_security_policy(journey: App):
    html = {
        name: page
        for name, page in journey.pages.items()
        if page.headers.get("content-type", "").startswith("text/html")
    }
    assert {"booking link", "details", "dashboard", "API docs"} <= set(html)
    for name, page in html.items():
        header = page.headers.get("content-security-policy", "")
        policy = {
            directive.split()[0]: directive.split()[1:]
            for directive in header.split(";")
            if directive.strip()
        }
        assert policy.get("script-src") == ["'self'"], name
        assert policy.get("style-src") == ["'self'"], name
        assert policy.get("frame-ancestors") == ["'none'"], name
        assert "unsafe" not in header, name
    # The pages with a form token are stored by no cache.
    for name in ("details", "dashboard login", "dashboard settings"):
        assert "no-store" in journey.pages[name].headers["cache-control"], name


def test_every_static_file_a_page_names_is_served_with_long_caching(journey: App):
    browser = journey.browser()
    referenced = set()
    for page in journey.pages.values():
        if page.headers.get("content-type", "").startswith("text/html"):
            referenced |= static_references(page.text)
    assert {"css", "js"} <= {path.rsplit(".", 1)[-1] for path in referenced}
    assert any("swagger" in path for path in referenced)  # the API docs' own files
    problems = []
    for path in sorted(referenced):
        answer = browser.get(path, headers={"Accept-Encoding": "gzip"})
        caching = answer.headers.get("cache-control", "")
        if answer.status != 200:
            problems.append(f"{path}: {answer.status}")
        elif not HASHED.search(path):
            problems.append(f"{path}: not a hashed name")
        elif "max-age=315360000" not in caching or "immutable" not in caching:
            problems.append(f"{path}: Cache-Control {caching!r}")
    assert problems == []
    # The widget's loader keeps its fixed address for other sites, briefly cached,
    # and stays small: every page of every site that shows the widget loads it.
    loader = browser.get("/static/js/embed.js")
    assert loader.status == 200
    assert "immutable" not in loader.headers["cache-control"]
    assert "max-age=60" in loader.headers["cache-control"]
    assert len(loader.body) <= 3 * 1024
    assert b"data-booking-link" in loader.body


def test_the_web_process_refuses_to_start_without_built_static_files(app, tmp_path):
    env = {**app.env, "STATIC_ROOT": str(tmp_path / "empty"), "PORT": str(free_port())}
    web = start("web", procfile()["web"], env, tmp_path / "web.log")
    try:
        web.popen.wait(timeout=30)
    finally:
        web.stop()
    assert web.popen.returncode != 0
    assert "The static files are not built" in web.output()
    assert "make build" in web.output()


# --- gunicorn's workers (config/workers.py) -------------------------------------------


REQUESTS = 600


def _wakeups(pid: int) -> int:
    """How often the process went to sleep waiting for something (each wait for a
    connection is one): its voluntary context switches."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^voluntary_ctxt_switches:\s+(\d+)", status, re.M)[1])


def test_one_idle_worker_is_woken_per_connection(app, tmp_path):
    """Each connection wakes one idle worker, not all of them (gunicorn's own sync
    worker waits in select(), which wakes every worker on the shared socket), and
    one after another they go to the same one or two workers, whose memory is still
    in the CPU's caches."""
    env = {**app.env, "PORT": str(free_port()), "WEB_CONCURRENCY": "3"}
    web = start("web", procfile()["web"], env, tmp_path / "web.log")
    try:
        browser = Browser(int(env["PORT"]))
        wait_for(lambda: _static_answers(browser), timeout=30, what="gunicorn")
        assert "config.workers.ExclusiveSyncWorker" in web.output()
        children = Path(f"/proc/{web.popen.pid}/task/{web.popen.pid}/children")
        workers = [int(pid) for pid in children.read_text().split()]
        assert len(workers) == 3
        before = {pid: _wakeups(pid) for pid in workers}
        for _ in range(REQUESTS):
            assert browser.get("/static/js/embed.js").status == 200
        woken = sorted(_wakeups(pid) - before[pid] for pid in workers)
        # One after another, the connections never needed the third worker: it
        # stayed asleep. gunicorn's own worker woke each of the three for nearly
        # every connection (the least woken 360-470 times of 600; measured).
        assert woken[0] < REQUESTS / 5, woken
        # Told to stop, every worker stops at once (no request is running).
        started = time.monotonic()
        web.stop(signal.SIGTERM)
        assert web.popen.returncode == 0
        assert time.monotonic() - started < 10
    finally:
        web.stop()


def _static_answers(browser: Browser) -> bool:
    try:
        return browser.get("/static/js/embed.js").status == 200
    except OSError:
        return False


# --- /healthz and /metrics ------------------------------------------------------------


def test_healthz_reports_each_part(journey: App):
    health = journey.pages["healthz"]
    body = health.json()
    assert (body["status"], body["database"], body["cache"]) == ("ok", "ok", "ok")
    assert body["queue"]["pending"] == 0
    assert body["outbox"] == {"queued": 0, "failed": 0}
    assert set(body["jobs"]) == {"expire_bookings", "send_reminders", "sweep_outbox"}
    assert body["jobs"]["expire_bookings"]["last_run_failed"] is False
    assert "set-cookie" not in health.headers
    # Plain HTTP from a load balancer that knows the instance by its address.
    probe = journey.browser().get(
        "/healthz", headers={"Host": "10.0.0.7:8000", "X-Forwarded-Proto": "http"}
    )
    assert probe.status == 200


def test_metrics_add_up_every_process_and_need_the_token(journey: App):
    browser = journey.browser()
    assert _scrape(journey, token=None).status == 401
    assert _scrape(journey, token="wrong").status == 401
    before = _samples(_scrape(journey).text)
    # Twenty requests from four clients at once: both gunicorn workers serve some.
    with ThreadPoolExecutor(4) as pool:
        statuses = list(
            pool.map(lambda _: browser.get(f"/book/{SLUG}/").status, range(20))
        )
    assert statuses == [200] * 20
    after = _samples(_scrape(journey).text)
    start_counted = {
        "view": "booking:start",
        "method": "GET",
        "status_class": "2xx",
    }
    assert (
        _value(after, "booking_http_responses_total", **start_counted)
        - _value(before, "booking_http_responses_total", **start_counted)
        == 20
    )
    histogram = "booking_http_request_duration_seconds_count"
    for view in ("booking:week", "booking:details", "booking:manage"):
        assert _value(after, histogram, view=view, method="GET") >= 1, view
    for view, method in (("api:availability", "GET"), ("api:book", "POST")):
        assert _value(after, histogram, view=view, method=method) >= 1, view
    bookings = "booking_bookings_created_total"
    assert _value(after, bookings, outcome="instant", reason="") == 2
    assert _value(after, bookings, outcome="refused", reason=journey.refused_code) == 1
    # Counted by the worker process, added up by the web process that answered.
    sent = len(journey.sendgrid.received)
    assert sent >= 5
    assert _value(after, "booking_emails_total", outcome="sent") == sent
    assert _value(after, "booking_emails_total", outcome="failed") == 0
    assert _value(after, "booking_tasks_total", task="send_email", outcome="complete")
    assert _value(after, "booking_outbox_emails", status="sent") == sent
    assert _value(after, "booking_queue_up") == 1
    assert _value(after, "booking_queue_pending_tasks") == 0
    last_expiry = _value(
        after, "booking_job_last_success_timestamp_seconds", job="expire_bookings"
    )
    assert time.time() - 300 < last_expiry <= time.time()
    assert (
        "booking_availability_cache_requests_total",
        (("result", "miss"),),
    ) in after


PROMQL_WORDS = {
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "inf",
    "nan",
}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    expr = re.sub(r'"[^"]*"', "", expr)  # strings (label values)
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range selectors
    grouping = r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"
    expr = re.sub(grouping, "", expr)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", expr):
        following = expr[match.end() :].lstrip()[:1]
        word = match.group()
        if following != "(" and word.lower() not in PROMQL_WORDS:
            names.add(word)
    return names


def test_every_metric_an_alert_rule_uses_is_exported(journey: App):
    rules = yaml.safe_load((ROOT / "docs" / "alerts.yml").read_text())
    alerts = [rule for group in rules["groups"] for rule in group["rules"]]
    used = set().union(*(metric_names(rule["expr"]) for rule in alerts))
    exported = {name for name, _labels in _samples(_scrape(journey).text)}
    assert used, "no metric names found in docs/alerts.yml"
    assert used - exported == set()
    topics = " ".join(rule["alert"] for rule in alerts)
    for topic in ("Queue", "Email", "Expiry", "5xx", "Availability", "Cache"):
        assert topic in topics


# --- logs -----------------------------------------------------------------------------


def test_logs_are_json_lines_without_personal_data_or_secrets(journey: App):
    logs = {p.name: p.output() for p in (journey.web, journey.worker)}
    records = []
    for name, text in logs.items():
        for line in text.splitlines():
            try:
                records.append(json.loads(line))
            except ValueError:
                pytest.fail(f"{name} wrote a line that is not JSON: {line!r}")
    requests = [r for r in records if r.get("logger") == "booking.requests"]
    booked = next(r for r in requests if r["method"] == "POST" and r["status"] == 303)
    assert booked["view"] == "booking:details"
    assert booked["business"] == SLUG
    assert booked["duration_ms"] > 0 and booked["request_id"]
    assert any(r["path"] == "/bookings/[token]/" for r in requests)
    events = [
        r for r in records if r.get("logger") == "booking.events" and "event" in r
    ]
    assert {(r["from_status"], r["to_status"]) for r in events} >= {
        ("", "approved"),
        ("approved", "cancelled"),
    }
    assert all(r["booking"].startswith("BK-") for r in events)
    tasks = [r for r in records if r.get("logger") == "booking.tasks"]
    assert {(r["task"], r["outcome"]) for r in tasks} >= {
        ("send_email", "complete"),
        ("expire_bookings", "complete"),
    }
    assert all(r["attempt"] == 1 for r in tasks)
    secrets = {
        **journey.secrets,
        **{f"client {k}": v for k, v in CLIENT.items() if k != "notes"},
        **{f"API client {k}": v for k, v in API_CLIENT.items()},
        "client phone digits": "7700900123",
        "owner email": OWNER,
        "invited email": STAFF,
        "password": PASSWORD,
        "metrics token": METRICS_TOKEN,
        "secret key": journey.env["SECRET_KEY"],
    }
    for name, text in logs.items():
        leaked = {what for what, value in secrets.items() if value in text}
        assert leaked == set(), f"{name}'s log holds {leaked}"


# --- when the database is down --------------------------------------------------------


@pytest.fixture
def no_database(app, tmp_path):
    """The app's settings, with PostgreSQL at an address where nothing listens (and
    a queue of its own)."""
    return {
        **app.env,
        "HUEY_NAME": app.env["HUEY_NAME"] + "down",
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
        "DATABASE_URL": f"postgres://booking@127.0.0.1:{free_port()}/booking",
        "PORT": str(free_port()),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }


def test_healthz_names_the_database_and_sentry_hears_of_the_error(
    app, no_database, tmp_path
):
    with FakeSentryServer() as sentry:
        env = {**no_database, "SENTRY_DSN": sentry.dsn}
        web = start("web", procfile()["web"], env, tmp_path / "web.log")
        port = int(env["PORT"])
        try:
            browser = Browser(port)
            wait_for(lambda: _up(web, browser), timeout=30, what="gunicorn")
            started = time.monotonic()
            health = browser.get("/healthz")
            assert time.monotonic() - started < 5
            token = "0123456789abcdefghijklmnopqrstuv"
            failed = browser.get(
                f"/bookings/{token}/?email={CLIENT['client_email']}",
                headers={"Cookie": f"sessionid=not-sent; name={CLIENT['client_name']}"},
            )
            (event,) = sentry.wait_for_events(1)
        finally:
            web.stop()
    assert health.status == 503
    body = health.json()
    assert body["status"] == "error"
    assert body["database"].startswith("error: OperationalError")
    assert (body["cache"], body["outbox"]) == ("ok", "error: no database")
    # A database that cannot be reached is "try again" (config/middleware.py),
    # and still reported.
    assert failed.status == 503
    assert "Please try again in a minute" in failed.text
    assert event["exception"]["values"][-1]["type"] == "OperationalError"
    assert event["request"]["url"].endswith("/bookings/[token]/")
    assert event["tags"]["request_id"] == failed.headers["x-request-id"]
    sent = "\n".join(sentry.raw)
    for value in (token, CLIENT["client_email"], CLIENT["client_name"], "not-sent"):
        assert value not in sent


def _up(process: Process, browser: Browser) -> bool:
    assert process.popen.poll() is None, process.output()
    try:
        return browser.get("/healthz").status in {200, 503}
    except OSError:
        return False


def test_a_failing_task_reaches_sentry_from_the_worker(app, no_database, tmp_path):
    with FakeSentryServer() as sentry:
        env = {**no_database, "SENTRY_DSN": sentry.dsn}
        worker = start("worker", procfile()["worker"], env, tmp_path / "worker.log")
        try:
            _enqueue_send_email(env)
            wait_for(
                lambda: _task_events(sentry.events, "send_email"),
                timeout=30,
                what="the task's error in Sentry",
            )
        finally:
            worker.stop(signal.SIGINT)
    # (The periodic jobs run at start-up may have failed too, without a database.)
    event = _task_events(sentry.events, "send_email")[0]
    assert event["exception"]["values"][-1]["type"] == "OperationalError"
    assert event["extra"]["huey-job"]["args"] == "[Filtered]"  # no task arguments


def _task_events(events: list[dict], task: str) -> list[dict]:
    return [
        e for e in events if e.get("extra", {}).get("huey-job", {}).get("task") == task
    ]


def test_without_sentry_admins_get_the_error_even_without_a_database(
    app, no_database, tmp_path
):
    env = {**no_database, "ADMINS": "Ada Ops <ada.ops@example.com>"}
    worker = start("worker", procfile()["worker"], env, tmp_path / "worker.log")
    try:
        _enqueue_send_email(env)
        wait_for(
            lambda: _error_email(app, "Task: send_email"),
            timeout=30,
            what="the error email",
        )
    finally:
        worker.stop(signal.SIGINT)
    # (The periodic jobs run at start-up may have failed too, without a database.)
    email = _error_email(app, "Task: send_email")[0]
    assert email.subject.startswith("[Booking Links] ERROR: Unhandled exception")
    assert email.subject.endswith("(OperationalError)")
    assert "Connection refused" in email.text


def _error_email(app: App, text: str) -> list:
    return [
        e
        for e in app.sendgrid.received
        if "ada.ops@example.com" in e.to and text in e.text
    ]


def _enqueue_send_email(env: dict) -> None:
    """Queue one send_email task for the worker (enqueueing needs no database)."""
    run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from booking.outbox import send_email; send_email(424242)",
        ],
        env,
    )
