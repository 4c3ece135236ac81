"""config/cache.py: the cache carries on as an empty one while Redis fails, asks
Redis again once its breaker closes, and says so in the log once per outage.

Redis is a private ``redis-server`` that the test stops and starts (never the
shared one).
"""

import logging

import pytest
from django.core.cache import cache, caches

from config.cache import breaker_open, breaker_reset
from config.settings import redis_caches
from tests.booking import test_tasks_background as background


@pytest.fixture
def private_redis(tmp_path, settings):
    server = background.PrivateRedis(tmp_path)
    server.start()
    # Production's cache (REDIS_URL set), whether or not this run has REDIS_URL.
    settings.CACHES = {"default": redis_caches(server.url)["default"]}
    yield server
    server.stop()


def test_while_redis_is_down_the_cache_is_empty_and_writes_are_dropped(
    private_redis, caplog
):
    cache.set("kept", 1)
    assert cache.get("kept") == 1
    private_redis.stop()
    with caplog.at_level(logging.ERROR, logger="config.cache"):
        assert cache.get("kept", "miss") == "miss"
        assert breaker_open()
        assert cache.add("counter", 1) is False
        with pytest.raises(ValueError):
            cache.incr("counter")  # what django-ratelimit reads as "no count"
        assert cache.set("other", 1) is None
        assert cache.get_many(["kept", "other"]) == {}
        assert cache.has_key("kept") is False
        assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert cache.touch("kept") is False
        assert cache.delete("kept") is False
        assert cache.delete_many(["a"]) is None
        assert cache.clear() is False
    (line,) = [r for r in caplog.records if r.name == "config.cache"]
    assert "Redis is not answering" in line.getMessage()


def test_redis_is_asked_again_once_the_breaker_closes(private_redis, settings):
    cache.set("kept", 1)
    private_redis.stop()
    assert cache.get("kept") is None
    private_redis.start()  # back, empty
    assert cache.add("new", 1) is False  # the breaker still answers for it
    breaker_reset()  # as REDIS_BREAKER_SECONDS passing would
    assert cache.add("new", 1) is True
    assert cache.incr("new") == 2
    assert not breaker_open()


def test_a_failure_opens_the_breaker_for_the_configured_time(private_redis, settings):
    settings.REDIS_BREAKER_SECONDS = 0
    private_redis.stop()
    assert cache.get("kept") is None
    assert not breaker_open()  # zero seconds: every call asks Redis again
    private_redis.start()
    cache.set("kept", 1)
    assert cache.get("kept") == 1


def test_each_call_reuses_the_redis_client_of_its_pool(private_redis):
    redis_cache = caches["default"]
    redis_cache.set("reused", 1)
    assert redis_cache.get("reused") == 1
    client = redis_cache._cache.get_client(write=False)
    assert redis_cache._cache.get_client(write=False) is client
