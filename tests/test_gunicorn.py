"""gunicorn's settings (config/gunicorn.py): what the Procfile's web process runs with.
tests/test_production.py starts it for real."""

import gc
import importlib
import logging.config

import pytest
from django.conf import settings
from gunicorn.config import Config

import config.gunicorn


@pytest.fixture
def gunicorn_settings(monkeypatch):
    def load(**env):
        for name in ("HOST", "PORT", "WEB_CONCURRENCY", "DEBUG", "SECRET_KEY"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(config.gunicorn)

    yield load
    importlib.reload(config.gunicorn)


def test_production_listens_where_told_with_json_lines_and_no_access_log(
    gunicorn_settings,
):
    conf = gunicorn_settings(
        HOST="0.0.0.0", PORT="5000", WEB_CONCURRENCY="4", SECRET_KEY="s" * 50
    )
    assert (conf.bind, conf.workers) == ("0.0.0.0:5000", 4)
    assert conf.accesslog is None
    assert conf.control_socket_disable is True
    assert conf.logconfig_dict["handlers"]["console"]["formatter"] == "json"
    assert conf.logconfig_dict["loggers"]["gunicorn.access"]["handlers"] == []
    try:
        logging.config.dictConfig(conf.logconfig_dict)  # a valid configuration
    finally:
        logging.config.dictConfig(settings.LOGGING)  # this process's own again


def test_development_defaults(gunicorn_settings):
    conf = gunicorn_settings()
    assert (conf.bind, conf.workers) == ("127.0.0.1:8000", 2)
    assert conf.logconfig_dict["handlers"]["console"]["formatter"] == "text"
    assert (
        gunicorn_settings(DEBUG="false").logconfig_dict["handlers"]["console"][
            "formatter"
        ]
        == "json"
    )


def test_each_worker_freezes_what_it_loaded_out_of_the_collectors_sight():
    cfg = Config()
    cfg.set("post_worker_init", config.gunicorn.post_worker_init)  # the hook's shape
    before = gc.get_freeze_count()
    try:
        cfg.post_worker_init(None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
