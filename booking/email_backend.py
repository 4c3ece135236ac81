"""A Django email backend that sends through the SendGrid v3 API (``sendgrid`` package).

Chosen by settings when ``SENDGRID_API_KEY`` is set; ``SENDGRID_API_HOST`` points it
elsewhere (tests use a local fake). Errors propagate unless ``fail_silently``: the
outbox task decides what is worth a retry from the HTTP status.
"""

import base64
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import (
    Attachment,
    Content,
    Disposition,
    Email,
    FileContent,
    FileName,
    FileType,
    Header,
    Mail,
    To,
)

DEFAULT_TIMEOUT_SECONDS = 10


def _email(address: str) -> Email:
    name, addr = parseaddr(address)
    return Email(addr, name or None)


def to_sendgrid_mail(message: EmailMessage) -> Mail:
    """The SendGrid request body for a Django email (text, HTML alternative, files,
    extra headers such as the outbox's stable ``Message-ID``)."""
    mail = Mail(from_email=_email(message.from_email), subject=message.subject)
    for address in message.to:
        mail.add_to(To(parseaddr(address)[1], parseaddr(address)[0] or None))
    mail.add_content(Content("text/plain", message.body))
    if isinstance(message, EmailMultiAlternatives):
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                mail.add_content(Content("text/html", content))
    if message.reply_to:
        mail.reply_to = _email(message.reply_to[0])
    for name, value in message.extra_headers.items():
        mail.add_header(Header(name, value))
    for attachment in message.attachments:
        filename, content, mimetype = attachment
        if isinstance(content, str):
            content = content.encode()
        mail.add_attachment(
            Attachment(
                FileContent(base64.b64encode(content).decode()),
                FileName(filename),
                FileType(mimetype or "application/octet-stream"),
                Disposition("attachment"),
            )
        )
    return mail


class SendGridBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.client = SendGridAPIClient(
            api_key=settings.SENDGRID_API_KEY, host=settings.SENDGRID_API_HOST
        )
        self.client.client.timeout = getattr(
            settings, "SENDGRID_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS
        )

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            try:
                self.client.send(to_sendgrid_mail(message))
            except Exception:
                if not self.fail_silently:
                    raise
            else:
                sent += 1
        return sent
