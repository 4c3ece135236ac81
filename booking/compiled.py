"""ORM queries of the hot path, compiled to SQL once per process.

Building a queryset and compiling it to SQL costs Django about as long as
PostgreSQL takes to run an availability query (profiled: 2–5 ms of an uncached
answer's 6–15 ms went to ``build_filter``, ``resolve_expression`` and the
compiler). A ``CompiledQuery`` builds its query with stand-in values once per
*shape* (which arguments are ``None``, the flags), keeps the SQL and which
parameter is which argument, and afterwards runs that SQL with the call's values.
The rules stay written once, in the ORM (``holds_spot_in_q`` and friends); the hot
path only pays for running them.

Stand-ins are values no caller uses (negative ids, instants in 1901, strings
with a control character) and must each
come back as a parameter of the compiled SQL, never inlined into its text: a
query that would inline one fails at its first compilation, loudly. Only on
PostgreSQL, where rows come back as the ORM would give them (no converters for
these columns); on other databases the queryset is simply evaluated.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from django.db import OperationalError, connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import QuerySet, signals

# Inside a 32-bit integer column's range (Django treats out-of-range ints as "no
# match" and would drop the condition) and far from any real id.
_INT_STAND_IN = -1_987_654_000
_DATETIME_STAND_IN = datetime(1901, 2, 3, tzinfo=UTC)
_STR_STAND_IN = "\x1fcompiled-stand-in-"


def _cursor():
    """Django's cursor around one that binds parameters on the server and asks to
    prepare each statement, so PostgreSQL plans a compiled query once per
    connection instead of on every run (planning took 1–1.5 ms of each
    availability query). The connection prepares only with
    ``DATABASE_PREPARED_STATEMENTS`` on (config/settings.py)."""
    connection.ensure_connection()
    with connection.wrap_database_errors:
        prepared = _Prepared(ServerBindingCursor(connection.connection))
    connection.validate_thread_sharing()
    if connection.queries_logged:
        return connection.make_debug_cursor(prepared)
    return connection.make_cursor(prepared)


class _Prepared:
    """A psycopg cursor that prepares what it runs, inside Django's wrappers (query
    log, error translation, ``execute_wrapper``)."""

    def __init__(self, cursor) -> None:
        self._cursor = cursor
        self._last: tuple[str, list] = ("", [])

    def execute(self, sql: str, params):
        self._last = (sql, params)
        return self._cursor.execute(sql, params, prepare=True)

    @property
    def _query(self) -> SimpleNamespace:
        """The statement with its values, for Django's query log (read only while
        queries are logged: DEBUG, tests); psycopg keeps no text of a prepared run."""
        sql, params = self._last
        return SimpleNamespace(query=connection.ops.compose_sql(sql, params).encode())

    def __getattr__(self, name: str):
        return getattr(self._cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._cursor.close()


def _run(sql: str, params: list) -> list[tuple]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _dropped_since_last_request() -> bool:
    """A kept connection (``CONN_MAX_AGE``) found closed at its first use in a
    request, outside a transaction: what Django's health check
    (``CONN_HEALTH_CHECKS``) reconnects before a request's first ORM query. A
    compiled query bypasses that check (it would cost a ``SELECT 1`` a request), so
    it reconnects itself, once, only then: its statement is a read, nothing of it
    ran. A connection lost later in a request, or inside a transaction, still
    raises (the 503 "try again")."""
    raw = connection.connection
    return (
        connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
        and (raw is None or raw.closed)
    )


@dataclass(frozen=True)
class _Template:
    sql: str
    slots: tuple[str | None, ...]  # per parameter: the argument, or None
    constants: tuple[object, ...]


class CompiledQuery:
    """``build(**arguments)`` → a ``values_list`` queryset; ``rows(**arguments)``
    runs it. ``flags`` (booleans, strings) change the query's shape; every other
    argument is an ``int``, a ``str``, an aware ``datetime`` or ``None`` (a shape
    too)."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._templates: dict[Hashable, _Template] = {}

    def rows(self, flags: dict | None = None, **arguments) -> list[tuple]:
        flags = flags or {}
        if connection.vendor != "postgresql":
            return list(self.build(**flags, **arguments))
        shape = (
            tuple(sorted(flags.items())),
            tuple(sorted((k, type(v)) for k, v in arguments.items())),
        )
        template = self._templates.get(shape)
        if template is None:
            template = self._templates[shape] = self._compile(flags, arguments)
        params = [
            constant if slot is None else arguments[slot]
            for slot, constant in zip(template.slots, template.constants, strict=True)
        ]
        try:
            rows = _run(template.sql, params)
        except OperationalError:
            if not _dropped_since_last_request():
                raise
            connection.close()  # PostgreSQL restarted (or ended it) between requests
            rows = _run(template.sql, params)
        if connection.health_check_enabled:
            connection.health_check_done = True  # it just answered: as a check would
        return rows

    def _compile(self, flags: dict, arguments: dict) -> _Template:
        stand_ins: dict[object, str] = {}
        given = {}
        for n, (name, value) in enumerate(sorted(arguments.items())):
            if value is None:
                given[name] = None
                continue
            if isinstance(value, bool) or not isinstance(value, int | str | datetime):
                raise TypeError(f"{name}: an int, a str, an aware datetime or None")
            if isinstance(value, int):
                stand_in = _INT_STAND_IN - n
            elif isinstance(value, str):
                stand_in = f"{_STR_STAND_IN}{n}"
            else:
                stand_in = _DATETIME_STAND_IN + timedelta(microseconds=n + 1)
            stand_ins[stand_in] = name
            given[name] = stand_in
        query = self.build(**flags, **given).query
        sql, params = query.get_compiler(connection=connection).as_sql()
        slots = tuple(
            stand_ins.get(p) if isinstance(p, int | str | datetime) else None
            for p in params
        )
        missing = set(stand_ins.values()) - set(slots)
        inlined = [str(s) for s in stand_ins if str(s) in sql]
        if missing or inlined:
            raise ValueError(
                f"{self.build.__qualname__}: arguments not passed as parameters: "
                f"{sorted(missing) or inlined}"
            )
        return _Template(sql, slots, tuple(params))


class Loaded:
    """A model with some of its relations loaded, as ``select_related`` would, from
    the rows of a ``CompiledQuery``: ``names`` to put in its ``values_list``, then
    ``load(row)`` for each row. ``relations``: forward foreign keys or one-to-ones
    of ``model``, or a reverse one-to-one (``Business.booking_settings``); a missing
    one is cached as ``None`` (a reverse one-to-one then raises ``DoesNotExist``, as
    after ``select_related``)."""

    def __init__(self, model, *relations: str) -> None:
        self.model = model
        self.size = len(model._meta.concrete_fields)
        self.names = [f.attname for f in model._meta.concrete_fields]
        # Per relation: its field, its columns' count, where its primary key is.
        self.parts = []
        for name in relations:
            relation = model._meta.get_field(name)
            fields = relation.related_model._meta.concrete_fields
            key = [f.primary_key for f in fields].index(True)
            self.parts.append((relation, len(fields), key))
            self.names += [f"{name}__{f.attname}" for f in fields]

    def load(self, row: tuple):
        start = self.size
        instance = self.model.from_db(connection.alias, None, row[:start])
        for relation, size, key in self.parts:
            values = row[start : start + size]
            start += size
            related = None
            if values[key] is not None:
                related = relation.related_model.from_db(connection.alias, None, values)
            relation.set_cached_value(instance, related)
            if not relation.concrete and related is not None:
                # A reverse one-to-one: both ends know each other.
                relation.field.set_cached_value(related, instance)
        return instance


class CompiledInsert:
    """``Model.objects.create`` and ``bulk_create`` for the hot path: the INSERT's
    SQL written once per process (per number of rows) and run as a prepared
    statement (Django builds and compiles it on every call, and PostgreSQL plans it
    each time). Defaults, ``auto_now`` and signals as Django has them (``create``
    sends ``pre_save``/``post_save``, ``bulk_create`` none); on other databases they
    are Django's. A model's own ``save()`` is not called, as with ``bulk_create``:
    pass what it would set (``BookingRequest.save`` sets ``business``)."""

    def __init__(self, model) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        if any(f.generated or f.has_db_default() for f in self.fields):
            raise TypeError(f"{model.__name__}: a column the database fills in")
        self._sql: dict[int, str] = {}

    def sql(self, rows: int = 1) -> str:
        if rows not in self._sql:
            meta, quote = self.model._meta, connection.ops.quote_name
            columns = ", ".join(quote(f.column) for f in self.fields)
            row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            self._sql[rows] = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 (names)
                f"VALUES {', '.join([row] * rows)} RETURNING {quote(meta.pk.column)}"
            )
        return self._sql[rows]

    def bulk_create(self, instances: list) -> list:
        """Write ``instances`` in one INSERT, each given its primary key."""
        if not instances:
            return instances
        if connection.vendor != "postgresql" or self.model._meta.pk.has_default():
            return self.model._default_manager.bulk_create(instances)
        return self._insert(instances)

    def create(self, **values):
        if connection.vendor != "postgresql" or self.model._meta.pk.has_default():
            return self.model._default_manager.create(**values)
        instance = self.model(**values)
        saved = {
            "sender": self.model,
            "instance": instance,
            "raw": False,
            "using": connection.alias,
            "update_fields": None,
        }
        signals.pre_save.send(**saved)
        self._insert([instance])
        signals.post_save.send(**saved, created=True)
        return instance

    def _insert(self, instances: list) -> list:
        params = [
            f.get_db_prep_save(f.pre_save(instance, True), connection)
            for instance in instances
            for f in self.fields
        ]
        with _cursor() as cursor:
            cursor.execute(self.sql(len(instances)), params)
            keys = cursor.fetchall()
        for instance, (key,) in zip(instances, keys, strict=True):
            instance.pk = key
            instance._state.adding = False
            instance._state.db = connection.alias
        return instances
