"""What production must have set: checked when the settings load, so it fails closed.

Without these the app would run, but unsafely: a built-in secret key (anyone could
sign sessions and password-reset links), password-reset and invitation links printed
to a log instead of emailed, rate limits counted separately in each process (so each
limit is multiplied by the number of processes), links in emails pointing nowhere.
So with ``DEBUG`` off the settings refuse to load and name everything missing at
once, with what to set.

``DEBUG`` itself is on only in a checkout where nothing of production is set
(``make run``, the tests); any of ``PRODUCTION_MARKERS`` turns it off unless
``DEBUG=true`` says otherwise, so a deployment that forgot ``SECRET_KEY`` is refused
instead of silently running in debug mode with the built-in key.

Imported by ``config/settings.py`` and ``config/gunicorn.py``: it must not import
Django's settings.
"""

from collections.abc import Mapping
from urllib.parse import urlsplit

DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
# Set only where the app is deployed: their presence means "this is production".
PRODUCTION_MARKERS = ("SECRET_KEY", "ALLOWED_HOSTS", "SENDGRID_API_KEY")
TRUE = {"1", "true", "yes", "on"}
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_CHARACTERS = 5
HOW_TO = (
    "See docs/DEPLOYMENT.md, 'Required in production'. To run it for development "
    "instead, set DEBUG=true."
)


def debug_from(environ: Mapping[str, str]) -> bool:
    """``DEBUG`` if set; otherwise on only when no production setting is."""
    value = environ.get("DEBUG", "").strip().lower()
    if value:
        return value in TRUE
    return not any(environ.get(name) for name in PRODUCTION_MARKERS)


def base_url_problem(url: str) -> str | None:
    """Why ``url`` is not an absolute http(s) origin (scheme, host, port), if it
    is not one."""
    problem = (
        f"BOOKING_BASE_URL must be an origin like https://book.example.com "
        f"(scheme and host, an optional port, nothing else), not {url!r}."
    )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        return problem
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return problem
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        return problem
    if parts.username is not None or parts.password is not None:
        return problem
    return None


def secret_key_is_strong(key: str) -> bool:
    """Django's own measure (``check --deploy``, security.W009), and not ours."""
    return (
        key != DEV_SECRET_KEY
        and len(key) >= SECRET_KEY_MIN_LENGTH
        and len(set(key)) >= SECRET_KEY_MIN_CHARACTERS
        and not key.startswith("django-insecure-")
    )


def production_problems(
    *,
    secret_key: str,
    allowed_hosts: list[str],
    base_url: str,
    email_chosen: bool,
    shared_cache: bool,
) -> list[str]:
    """What a process with ``DEBUG`` off is missing, one sentence each."""
    problems = []
    if not secret_key_is_strong(secret_key):
        problems.append(
            "SECRET_KEY must be set to a long random string (at least "
            f"{SECRET_KEY_MIN_LENGTH} characters), e.g. the output of "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    if not allowed_hosts:
        problems.append(
            "ALLOWED_HOSTS must be set: the host names the app answers, e.g. "
            "book.example.com."
        )
    if not base_url:
        problems.append(
            "BOOKING_BASE_URL must be set: the public origin of links in emails, "
            "e.g. https://book.example.com."
        )
    if not email_chosen:
        problems.append(
            "No email backend: set SENDGRID_API_KEY, or EMAIL_BACKEND to the Django "
            "email backend you mean (e.g. django.core.mail.backends.smtp.EmailBackend "
            "with EMAIL_HOST). Otherwise password-reset links would only be printed."
        )
    if not shared_cache:
        problems.append(
            "REDIS_URL must be set: the cache and the rate limits must be shared by "
            "every process (or ALLOW_LOCAL_MEMORY_CACHE=true for a single process)."
        )
    return problems


def production_error(problems: list[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return f"DEBUG is off, and production settings are missing:\n{lines}\n{HOW_TO}"
