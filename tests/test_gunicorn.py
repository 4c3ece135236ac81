"""gunicorn's settings (config/gunicorn.py): what the Procfile's web process runs with.
tests/test_production.py starts it for real."""

import errno
import gc
import importlib
import logging.config
import os
import select
import socket
import threading

import pytest
from django.conf import settings
from gunicorn.config import Config
from gunicorn.glogging import Logger

import config.gunicorn
from config.workers import ExclusiveSyncWorker


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


@pytest.mark.parametrize("kernel", ["epoll", "no EPOLLEXCLUSIVE"])
def test_the_worker_answers_each_connection_and_stops_when_told(monkeypatch, kernel):
    """config/workers.py in this process: it answers connections one after another
    and stops once told (the arbiter's signal: ``alive`` off, a byte on its pipe);
    where the kernel has no EPOLLEXCLUSIVE it is gunicorn's sync worker. Which
    worker a connection wakes is tests/test_production.py's."""
    if kernel != "epoll":
        monkeypatch.delattr(select, "EPOLLEXCLUSIVE")
    cfg = Config()
    listener = socket.create_server(("127.0.0.1", 0))

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [f"hello {environ['PATH_INFO']}".encode()]

    worker = ExclusiveSyncWorker(
        0, os.getppid(), [listener], None, 30, cfg, Logger(cfg)
    )
    worker.wsgi = app
    worker.PIPE = os.pipe()
    worker.wait_fds = [listener, worker.PIPE[0]]  # gunicorn's init_process sets it
    answers = []

    def client():
        for n in range(3):
            with socket.create_connection(listener.getsockname(), timeout=10) as conn:
                conn.sendall(f"GET /{n} HTTP/1.0\r\nHost: x\r\n\r\n".encode())
                answers.append(b"".join(iter(lambda c=conn: c.recv(4096), b"")))
        worker.alive = False
        os.write(worker.PIPE[1], b".")

    thread = threading.Thread(target=client)
    thread.start()
    try:
        worker.run()
    finally:
        thread.join(timeout=10)
        listener.close()
        for fd in worker.PIPE:
            os.close(fd)
    assert [answer.split(b"\r\n\r\n", 1)[1] for answer in answers] == [
        b"hello /0",
        b"hello /1",
        b"hello /2",
    ]


@pytest.fixture
def idle_worker():
    """A worker on a socket no client connects to."""
    cfg = Config()
    listener = socket.create_server(("127.0.0.1", 0))
    worker = ExclusiveSyncWorker(
        0, os.getppid(), [listener], None, 30, cfg, Logger(cfg)
    )
    worker.PIPE = os.pipe()
    yield worker
    listener.close()
    for fd in worker.PIPE:
        os.close(fd)


def test_a_signal_wakes_the_idle_worker_and_a_new_parent_stops_it(idle_worker):
    """A signal's byte on the pipe wakes it (and is read, so it sleeps again after);
    a worker whose arbiter is gone stops."""
    rounds = []

    def notify():
        rounds.append(True)
        if len(rounds) == 2:  # woken once by the byte: now the arbiter is gone
            idle_worker.ppid = -1

    idle_worker.notify = notify
    os.write(idle_worker.PIPE[1], b".")
    idle_worker.run()
    assert len(rounds) == 2
    os.set_blocking(idle_worker.PIPE[0], False)
    with pytest.raises(BlockingIOError):
        os.read(idle_worker.PIPE[0], 1)  # the byte was read


def test_a_failing_accept_is_not_taken_for_an_idle_socket(idle_worker):
    def accept(listener):
        raise OSError(errno.EMFILE, "Too many open files")

    idle_worker.accept = accept
    with pytest.raises(OSError, match="Too many open files"):
        idle_worker.run()
