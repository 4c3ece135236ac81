"""The benchmarks still run (at a tiny scale, so they cannot rot unseen).

Each runs as ``make bench`` runs it, in its own process, on its own throwaway
database (``test_<name>_bench``, never this suite's), and must print its table.
Their figures are not checked here: docs/PERFORMANCE.md records a full run.
"""

import os
import subprocess
import sys

import dj_database_url
import psycopg
import pytest
from django.conf import settings
from psycopg import sql

from tests.conftest import requires_postgres
from tests.production import ROOT, postgres_server

pytestmark = [requires_postgres, pytest.mark.redis]


def bench_url() -> str:
    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    return os.environ["DATABASE_URL"].rsplit("/", 1)[0] + f"/{config['NAME']}_bench"


def run_bench(module: str, **env: str) -> str:
    url = bench_url()
    result = subprocess.run(
        [sys.executable, "-m", module],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": settings.REDIS_URL,
            "LOG_LEVEL": "WARNING",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def leave_a_throwaway_database_behind() -> None:
    """What a benchmark killed mid-run leaves behind: its ``test_…`` database."""
    name = "test_" + dj_database_url.parse(bench_url())["NAME"]
    with psycopg.connect(**postgres_server(os.environ["DATABASE_URL"])) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def test_the_availability_benchmark_runs():
    # An interrupted run's database is in the way; the benchmark must not stop to
    # ask whether to drop it (there is no one to answer under CI or `make bench`).
    leave_a_throwaway_database_behind()
    out = run_bench("bench.availability", BENCH_SCALE="0.002", BENCH_RUNS="2")
    assert "| statistics | request | cache | p50 | p95 | p99 | queries | size |" in out
    assert "| after ANALYZE | API, 31 days, one service | warm |" in out
    assert "| after bulk load | 31 days, query 1 |" in out


def test_the_booking_load_benchmark_runs_and_breaks_no_rule():
    out = run_bench("bench.booking_load", BENCH_BOOKINGS="60", BENCH_CLIENTS="6")
    assert "| booking POSTs per second, achieved |" in out
    assert "| closed loop (saturation) |" in out
    assert "| 5xx answers | 0 |" in out
    assert "| sessions over capacity | 0 |" in out
    assert "| buffer-conflicting pairs both booked | 0 |" in out


def test_the_requests_table_benchmark_runs():
    out = run_bench("bench.requests_table", BENCH_REQUESTS="60", BENCH_RUNS="1")
    assert "| statistics | request | p50 | p95 | p99 | runs | queries | size |" in out
    assert "| after ANALYZE | search “smith” |" in out
    assert "| after bulk load | CSV export of all 60 |" in out
