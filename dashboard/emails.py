"""Account emails (password reset, staff invitations): built and sent in one place.

Every account email leaves through ``send_account_email``, so routing them through the
booking outbox later is a change to this one function.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_account_email(
    to: str, subject: str, text: str, html: str | None = None
) -> None:
    """Send one email to ``to`` with Django's email API (text, optional HTML)."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
    )
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


def render_account_email(kind: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) from ``dashboard/emails/<kind>-{subject,body}.*``."""
    prefix = f"dashboard/emails/{kind}"
    subject = " ".join(render_to_string(f"{prefix}-subject.txt", context).split())
    text = render_to_string(f"{prefix}-body.txt", context)
    html = render_to_string(f"{prefix}-body.html", context)
    return subject, text, html
