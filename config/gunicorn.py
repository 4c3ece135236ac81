"""gunicorn's settings for the web process (the Procfile's ``web``).

``gunicorn config.wsgi --config python:config.gunicorn``

Listens on ``HOST``:``PORT`` with ``WEB_CONCURRENCY`` worker processes. Its own lines
use the app's log format (JSON with DEBUG off); its access log is off because
``config.middleware.RequestLogMiddleware`` writes one line per request with secrets
redacted (gunicorn's would print private booking links). The app is loaded in each
worker, not preloaded, so each worker keeps its own Prometheus figures file
(``PROMETHEUS_MULTIPROC_DIR``).
"""

import gc
import os

from config.logs import log_format, logging_config
from config.required import debug_from

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# One worker woken per connection, not all of them (config/workers.py).
worker_class = "config.workers.ExclusiveSyncWorker"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
accesslog = None
# gunicorn 27's control socket (~/.gunicorn/gunicorn.ctl) is not used here, and two
# instances on one host would fight over it.
control_socket_disable = True

# DEBUG as config/settings.py reads it (this file must not load Django's settings).
logconfig_dict = logging_config(
    fmt=log_format(debug_from(os.environ)), level=os.environ.get("LOG_LEVEL", "INFO")
)


def post_worker_init(worker) -> None:
    """Once a worker has loaded the app, move everything loaded so far (Django, the
    models, the URL conf: ~100,000 objects) out of the garbage collector's sight.
    They live as long as the worker; without this, every full collection walks them
    all again, a pause of tens of milliseconds in the middle of some request."""
    gc.freeze()
