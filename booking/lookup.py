"""The first read of every public page and public API call: the business at a
booking link's slug, with its booking settings, in one query compiled once per
process (``booking.compiled``): on a cached availability answer this query is
most of the work left. Likewise the first read of every dashboard page: the
user's membership of the URL's business, with the business and its settings.
"""

from django.db import connection
from django.db.models import Exists, OuterRef

from booking.compiled import CompiledQuery, Loaded
from booking.models import Business, Membership, Service

# The business with its settings, as ``select_related("booking_settings")`` gives it.
_BUSINESS = Loaded(Business, "booking_settings")
_MEMBERSHIP_FIELDS = Membership._meta.concrete_fields
_MEMBERSHIP_BUSINESS = Membership._meta.get_field("business")


def _query(*, slug: str, service_id: int | None):
    found = Business.objects.filter(slug=slug)
    names = list(_BUSINESS.names)
    if service_id is not None:
        active = Service.objects.filter(
            pk=service_id, business=OuterRef("pk"), is_active=True
        )
        found = found.annotate(offers_service=Exists(active))
        names.append("offers_service")
    return found.order_by().values_list(*names)[:1]


_BUSINESS_BY_SLUG = CompiledQuery(_query)

_SERVICE = Loaded(Service)
_ACTIVE_SERVICES = CompiledQuery(
    lambda *, business_id: (
        Service.objects.filter(business_id=business_id, is_active=True)
        .order_by("name", "id")
        .values_list(*_SERVICE.names)
    )
)


def active_services(business: Business) -> list[Service]:
    """The services a business offers online, by name: step 1's cards and the
    public API's list (compiled once per process, like the business's lookup)."""
    return [
        _SERVICE.load(row) for row in _ACTIVE_SERVICES.rows(business_id=business.pk)
    ]


_ACTIVE_SERVICE = CompiledQuery(
    lambda *, business_id, service_id: (
        Service.objects.filter(pk=service_id, business_id=business_id, is_active=True)
        .order_by()
        .values_list(*_SERVICE.names)[:1]
    )
)


def active_service(business: Business, service_id: int) -> Service | None:
    """One of the services a business offers online (the week step's), or None."""
    if not _ID_MIN <= service_id <= _ID_MAX:
        return None  # not an id PostgreSQL would take
    rows = _ACTIVE_SERVICE.rows(business_id=business.pk, service_id=service_id)
    return _SERVICE.load(rows[0]) if rows else None


def business_by_slug(slug: str, *, service_id: int | None = None) -> Business | None:
    """The business at ``slug`` with ``booking_settings`` loaded (missing settings
    raise ``RelatedObjectDoesNotExist`` as with ``select_related``), or ``None``.

    With ``service_id``: ``offers_service``, whether that is one of its active
    services.
    """
    rows = _BUSINESS_BY_SLUG.rows(slug=slug, service_id=service_id)
    if not rows:
        return None
    row = rows[0]
    business = _BUSINESS.load(row)
    if service_id is not None:
        business.offers_service = row[-1]
    return business


def _membership_query(*, user_id: int, business_id: int):
    names = [f"business__{name}" for name in _BUSINESS.names]
    names += [f.attname for f in _MEMBERSHIP_FIELDS]
    found = Membership.objects.filter(user_id=user_id, business_id=business_id)
    return found.order_by("pk").values_list(*names)[:1]


_MEMBERSHIP = CompiledQuery(_membership_query)
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1  # a bigint's range: PostgreSQL refuses others


def membership_of(*, user_id: int, business_id: int) -> Membership | None:
    """The user's membership of the business, with ``business`` and its
    ``booking_settings`` loaded as ``select_related`` would, or ``None``: what
    ``Membership.objects.select_related("business__booking_settings")
    .filter(user=…, business_id=…).first()`` answers, compiled once per process."""
    if not _ID_MIN <= business_id <= _ID_MAX:  # no such id (the ORM's answer too)
        return None
    rows = _MEMBERSHIP.rows(user_id=user_id, business_id=business_id)
    if not rows:
        return None
    row = rows[0]
    business = _BUSINESS.load(row)
    values = row[len(_BUSINESS.names) :]
    membership = Membership.from_db(connection.alias, None, values)
    _MEMBERSHIP_BUSINESS.set_cached_value(membership, business)
    return membership
