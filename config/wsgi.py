"""WSGI entry point (gunicorn config.wsgi; see config/gunicorn.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

from config.checks import require_built_static_files  # noqa: E402  (after setup)

require_built_static_files()
