"""Sessions read through a compiled query: config/sessions.py."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from config.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_the_site_reads_sessions_through_the_compiled_store():
    assert settings.SESSION_ENGINE == "config.sessions"


def test_a_saved_session_reads_back_as_django_reads_it():
    store = SessionStore()
    store["_auth_user_id"] = "7"
    store["cart"] = {"a": [1, 2]}
    store.save()
    key = store.session_key
    assert dict(SessionStore(key).load()) == dict(DjangoStore(key).load())
    loaded = SessionStore(key)
    assert loaded["cart"] == {"a": [1, 2]} and loaded.session_key == key


@pytest.mark.parametrize("state", ["expired", "missing"])
def test_an_expired_or_unknown_session_is_empty_and_loses_its_key(state):
    store = SessionStore()
    store["x"] = 1
    store.save()
    key = store.session_key
    if state == "expired":
        Session.objects.filter(pk=key).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
    else:
        key = "a" * 32
    reader = SessionStore(key)
    assert reader.load() == {}
    assert reader._session_key is None
    assert DjangoStore(key).load() == {}
