"""Configuration comes from the environment (docs/DEPLOYMENT.md, "Environment
variables")."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
from django.conf import settings
django.setup()
from huey.contrib.djhuey import HUEY
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "huey": type(HUEY).__name__,
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "use_tz": settings.USE_TZ,
    "base_url": settings.BOOKING_BASE_URL,
    "sendgrid_host": settings.SENDGRID_API_HOST,
}))
"""
CONFIG_VARS = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "REDIS_URL",
    "SENDGRID_API_KEY",
    "SECRET_KEY",
    "DEBUG",
    "BOOKING_BASE_URL",
    "SENDGRID_API_HOST",
    "EMAIL_FILE_PATH",
    "ALLOWED_HOSTS",
    "ADMINS",
    "SENTRY_DSN",
    "LOG_FORMAT",
    "METRICS_TOKEN",
    "PROMETHEUS_MULTIPROC_DIR",
    "DISABLE_SERVER_SIDE_CURSORS",
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "ALLOW_LOCAL_MEMORY_CACHE",
    "STATIC_ROOT",
)
# Everything production needs (docs/DEPLOYMENT.md, "Required in production").
SECRET = "k7#Qp2!vZ9@mW4$xR8^tL1&nB6*cY3(hJ0)sD5-gF+eU7=aK2~iO9"
PRODUCTION = {
    "SECRET_KEY": SECRET,
    "ALLOWED_HOSTS": "book.example.com",
    "BOOKING_BASE_URL": "https://book.example.com",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SENDGRID_API_KEY": "SG.x",
}


def run_with(args: list[str], **env) -> subprocess.CompletedProcess:
    """Run ``python *args`` with only ``env`` set of the configuration variables."""
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, *args],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def settings_with(**env) -> dict:
    result = run_with(["-c", PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_nothing_set_runs_embedded():
    config = settings_with()
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["cache"].endswith("LocMemCache")
    assert config["huey"] == "SqliteHuey"
    assert config["email"].endswith("console.EmailBackend")
    assert config["debug"] is True
    assert config["use_tz"] is True
    assert config["base_url"] == "http://127.0.0.1:8000"


def test_production_services_from_the_environment():
    config = settings_with(
        DATABASE_URL="postgres://u@db.example:5432/booking",
        REDIS_URL="redis://cache.example:6379/0",
        SENDGRID_API_KEY="SG.x",
        SENDGRID_API_HOST="http://127.0.0.1:9",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="book.example.com",
        BOOKING_BASE_URL="https://book.example.com/",
    )
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["cache"].endswith("RedisCache")
    assert config["huey"] == "RedisHuey"
    assert config["email"] == "booking.email_backend.SendGridBackend"
    assert config["debug"] is False
    assert config["base_url"] == "https://book.example.com"
    assert config["sendgrid_host"] == "http://127.0.0.1:9"


def test_behind_pgbouncer_server_side_cursors_can_be_turned_off():
    probe = "import django; django.setup(); from django.conf import settings; "
    probe += "print(settings.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'])"
    url = "postgres://u@pgbouncer.example:6432/booking"
    assert run_with(["-c", probe], DATABASE_URL=url).stdout.strip() == "False"
    pooled = run_with(["-c", probe], DATABASE_URL=url, DISABLE_SERVER_SIDE_CURSORS="1")
    assert pooled.stdout.strip() == "True"


def test_behind_an_old_pgbouncer_prepared_statements_can_be_turned_off():
    probe = "import django; django.setup(); from django.conf import settings; "
    probe += "print(settings.DATABASES['default']['OPTIONS'].get('prepare_threshold'))"
    url = "postgres://u@pgbouncer.example:6432/booking"
    assert run_with(["-c", probe], DATABASE_URL=url).stdout.strip() == "5"
    pooled = run_with(
        ["-c", probe], DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false"
    )
    assert pooled.stdout.strip() == "None"


def test_production_without_a_secret_key_refuses_to_start():
    result = run_with(["-c", PROBE], DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_deployment_that_forgot_the_secret_key_does_not_turn_debug_on():
    forgot = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_with(["-c", PROBE], **forgot)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "DEBUG=true" in result.stderr  # how to run it for development instead


@pytest.mark.parametrize(
    ("missing", "words"),
    [
        ("SENDGRID_API_KEY", "set SENDGRID_API_KEY, or EMAIL_BACKEND"),
        ("REDIS_URL", "REDIS_URL must be set"),
        ("BOOKING_BASE_URL", "BOOKING_BASE_URL must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set"),
    ],
)
def test_production_refuses_to_start_without_each_thing_it_needs(missing, words):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_with(["-c", PROBE], DEBUG="false", **env)
    assert result.returncode != 0
    assert words in result.stderr
    assert "docs/DEPLOYMENT.md" in result.stderr


def test_every_missing_setting_is_named_at_once():
    result = run_with(["-c", PROBE], SECRET_KEY=SECRET)
    assert result.returncode != 0
    for name in ("ALLOWED_HOSTS", "BOOKING_BASE_URL", "REDIS_URL", "EMAIL_BACKEND"):
        assert name in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "s" * 50,  # too few different characters
        "short-but-random-9f8e7d",
        "django-insecure-" + SECRET,
        "dev-only-insecure-secret-key-change-me",
    ],
)
def test_a_weak_secret_key_is_refused(key):
    result = run_with(["-c", PROBE], **{**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a long random string" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        "book.example.com",
        "ftp://book.example.com",
        "https://book.example.com/booking",
        "https://book.example.com?x=1",
        "https://ada@book.example.com",
        "https://",
    ],
)
@pytest.mark.parametrize("debug", ["true", "false"])
def test_the_base_url_must_be_an_origin(url, debug):
    result = run_with(
        ["-c", PROBE], **{**PRODUCTION, "BOOKING_BASE_URL": url, "DEBUG": debug}
    )
    assert result.returncode != 0
    assert "BOOKING_BASE_URL must be an origin like https://book.example.com" in (
        result.stderr
    )


def test_another_email_backend_or_a_local_cache_only_when_asked_for():
    config = settings_with(
        **{
            k: v
            for k, v in PRODUCTION.items()
            if k not in {"SENDGRID_API_KEY", "REDIS_URL"}
        },
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="smtp.example.com",
        ALLOW_LOCAL_MEMORY_CACHE="true",
    )
    assert config["debug"] is False
    assert config["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert config["cache"].endswith("LocMemCache")


@pytest.mark.parametrize("value", ["lots", "5", "0/h", "5/15x"])
def test_a_bad_login_rate_names_the_variable(value):
    result = run_with(["-c", PROBE], LOGIN_RATE_ACCOUNT=value)
    assert result.returncode != 0
    assert "LOGIN_RATE_ACCOUNT must be a rate like 5/15m" in result.stderr


@pytest.mark.parametrize("value", ["abc", "1.5"])
def test_bad_integers_name_the_variable(value):
    result = run_with(["-c", PROBE], CONN_MAX_AGE=value)
    assert "CONN_MAX_AGE must be an integer" in result.stderr


def test_deploy_checks_pass_with_production_settings():
    result = run_with(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_rate_limits_can_read_the_client_address_from_a_proxy_header():
    probe = "import django; django.setup(); from django.conf import settings; "
    probe += "print(settings.RATELIMIT_IP_META_KEY)"
    assert run_with(["-c", probe]).stdout.strip() == "None"
    behind_proxy = run_with(["-c", probe], RATELIMIT_IP_META_KEY="HTTP_X_REAL_IP")
    assert behind_proxy.stdout.strip() == "HTTP_X_REAL_IP"


OPS_PROBE = """
import json, django
from django.conf import settings
django.setup()
import sentry_sdk
print(json.dumps({
    "admins": settings.ADMINS,
    "console": settings.LOGGING["handlers"]["console"]["formatter"],
    "admin_emails": "mail_admins" in settings.LOGGING["handlers"],
    "sentry": sentry_sdk.get_client().is_active(),
    "sentry_pii": sentry_sdk.get_client().options.get("send_default_pii"),
    "sentry_traces": sentry_sdk.get_client().options.get("traces_sample_rate"),
}))
"""


def ops_with(**env) -> dict:
    result = run_with(["-c", OPS_PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_development_logs_read_as_text_production_as_json():
    assert ops_with()["console"] == "text"
    assert ops_with(**PRODUCTION)["console"] == "json"
    assert ops_with(LOG_FORMAT="json")["console"] == "json"


def test_admins_get_error_emails_unless_sentry_takes_them():
    config = ops_with(ADMINS="Ada Ops <ada@example.com>, oncall@example.com")
    assert config["admins"] == [
        ["Ada Ops", "ada@example.com"],
        ["", "oncall@example.com"],
    ]
    assert config["admin_emails"] is True
    assert config["sentry"] is False
    with_sentry = ops_with(SENTRY_DSN="http://public@127.0.0.1:9/1")
    assert with_sentry["sentry"] is True
    assert with_sentry["sentry_pii"] is False
    assert with_sentry["admin_emails"] is False


def test_a_bad_sample_rate_names_the_variable():
    result = run_with(
        ["-c", OPS_PROBE],
        SENTRY_DSN="http://public@127.0.0.1:9/1",
        SENTRY_TRACES_SAMPLE_RATE="most",
    )
    assert "SENTRY_TRACES_SAMPLE_RATE must be a number" in result.stderr
    sampled = ops_with(
        SENTRY_DSN="http://public@127.0.0.1:9/1", SENTRY_TRACES_SAMPLE_RATE="0.25"
    )
    assert sampled["sentry_traces"] == 0.25


def test_admins_must_be_addresses():
    result = run_with(["-c", OPS_PROBE], ADMINS="Ada Ops")
    assert result.returncode != 0
    assert "ADMINS must be comma-separated addresses" in result.stderr


def test_deploy_checks_warn_when_metrics_would_be_per_process(tmp_path):
    production = {**PRODUCTION, "METRICS_TOKEN": "t" * 32}
    check = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    alone = run_with(check, **production)
    assert alone.returncode != 0
    assert "booking.W001" in alone.stdout + alone.stderr
    shared = run_with(
        check, **production, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics")
    )
    assert shared.returncode == 0, shared.stdout + shared.stderr
    assert (tmp_path / "metrics").is_dir()
