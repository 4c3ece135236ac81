"""Sessions in the database, as ``django.contrib.sessions.backends.db`` keeps them,
read through a query compiled once per process (``booking.compiled``).

Every request of a signed-in user reads its session first: building that
``Session.objects.get`` cost Django more than PostgreSQL took to answer it (some
800 function calls a request, profiled on the requests table). The rows, the
cookie and every write are Django's own; only the read differs.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from booking.compiled import CompiledQuery


def _session_query(*, session_key: str, now):
    return (
        Session.objects.filter(session_key=session_key, expire_date__gt=now)
        .order_by()
        .values_list("session_data")[:1]
    )


_SESSION = CompiledQuery(_session_query)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session's row if it exists and has not expired; else None, and the
        key is dropped (a new session gets a new one), as Django does."""
        rows = _SESSION.rows(session_key=self.session_key, now=timezone.now())
        if not rows:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=rows[0][0])
