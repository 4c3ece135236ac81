"""Start-up checks (config/checks.py)."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.checks import require_built_static_files

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture
def production_static(settings, tmp_path):
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": MANIFEST},
    }
    return tmp_path


def test_the_web_process_refuses_to_start_before_the_build(production_static):
    with pytest.raises(ImproperlyConfigured, match="make build"):
        require_built_static_files()


def test_it_starts_once_the_manifest_is_there(production_static):
    manifest = {"paths": {}, "version": "1.1", "hash": "x"}
    (production_static / "staticfiles.json").write_text(json.dumps(manifest))
    require_built_static_files()


def test_development_needs_no_build(production_static, settings):
    settings.DEBUG = True
    require_built_static_files()


def test_metrics_from_one_process_only_are_flagged(settings, monkeypatch):
    from config.checks import metrics_across_processes

    settings.METRICS_TOKEN = "t" * 32
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    assert [m.id for m in metrics_across_processes(None)] == ["booking.W001"]
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "/run/booking-links/metrics")
    assert metrics_across_processes(None) == []
    settings.METRICS_TOKEN = ""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    assert metrics_across_processes(None) == []
