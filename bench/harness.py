"""What every benchmark shares: Django on a throwaway test database, full requests
timed through the test client, and the Markdown table the README's "Performance"
section quotes.

Importing this module sets Django up, so a benchmark imports it before its models
(``python -m bench.<name>`` from the repository root; ``make bench`` runs them all).
"""

import os
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", 20))


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A fresh test database (SQLite in memory, or ``test_…`` on ``DATABASE_URL``)
    for the block, dropped afterwards; DEBUG on, so queries are counted.

    One left behind by an interrupted run (killed, timed out) is dropped first
    rather than asked about: nobody is there to answer, and it holds nothing."""
    setup_test_environment()
    settings.DEBUG = True
    old_name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False
    )
    try:
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


@contextmanager
def timed() -> Iterator[list[float]]:
    """``with timed() as took:`` — ``took[0]`` is the block's duration in seconds."""
    took: list[float] = []
    started = time.perf_counter()
    yield took
    took.append(time.perf_counter() - started)


def measure(client: Client, url: str, **headers) -> tuple[float, float, int, int]:
    """(median ms, slowest ms, queries, bytes sent) over RUNS runs after a warm-up."""
    headers = {"HTTP_ACCEPT_ENCODING": "gzip", **headers}  # size as sent to a browser
    client.get(url, **headers)
    timings = []
    for _ in range(RUNS):
        reset_queries()
        start = time.perf_counter()
        response = client.get(url, **headers)
        content = (
            b"".join(response.streaming_content)
            if response.streaming
            else response.content
        )
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return (
        statistics.median(timings),
        max(timings),
        len(connection.queries),
        len(content),
    )


def print_table(
    client: Client, cases: list[tuple[str, str, dict]], *, summary: str, first: str
) -> None:
    """Time each (label, url, headers) case and print the Markdown table."""
    print(f"\n{summary} on {connection.vendor}; {RUNS} runs each.\n")
    print(f"| {first} | median | slowest | queries | size |")
    print("|---|---:|---:|---:|---:|")
    for label, url, headers in cases:
        median, slowest, queries, size = measure(client, url, **headers)
        print(
            f"| {label} | {median:.0f} ms | {slowest:.0f} ms | {queries} "
            f"| {size / 1024:.1f} KiB |"
        )
