"""Start-up checks for production mistakes that would otherwise show up as errors later.

``require_built_static_files`` runs when gunicorn loads the app (config/wsgi.py): with
``DEBUG`` off and no manifest in ``STATIC_ROOT``, every page would answer 500, so the
web process refuses to start and says why. The system check warns
(``manage.py check --deploy``) about ``/metrics`` figures that would be per-process.
"""

import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def require_built_static_files() -> None:
    from django.contrib.staticfiles.storage import (
        ManifestFilesMixin,
        staticfiles_storage,
    )

    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if staticfiles_storage.read_manifest() is None:
        raise ImproperlyConfigured(
            f"The static files are not built: {settings.STATIC_ROOT} has no "
            f"{staticfiles_storage.manifest_name}. Run `make build` (it runs "
            "`manage.py collectstatic`) with this STATIC_ROOT before starting the web "
            "process; see docs/DEPLOYMENT.md."
        )


@checks.register(checks.Tags.compatibility, deploy=True)
def metrics_across_processes(app_configs, **kwargs) -> list[checks.CheckMessage]:
    if settings.METRICS_TOKEN and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return [
            checks.Warning(
                "METRICS_TOKEN is set but PROMETHEUS_MULTIPROC_DIR is not: /metrics "
                "shows the figures of whichever process answers, not their sum.",
                hint="Set PROMETHEUS_MULTIPROC_DIR to one writable directory for the "
                "web and worker processes of this host (docs/DEPLOYMENT.md).",
                id="booking.W001",
            )
        ]
    return []
