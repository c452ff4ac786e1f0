"""E-mail: Italian messages from templates (plain text + HTML), links to the site, and one
SMTP connection for a run of messages that survives a failure.

Each message has three templates under ``templates/email/``: ``NAME_subject.txt`` (one
line), ``NAME.txt`` and ``NAME.html``. They are rendered in the firm's language
(``settings.LANGUAGE_CODE``), whoever runs the command. Settings: Django's ``EMAIL_*`` and
``DEFAULT_FROM_EMAIL``; ``SITE_URL`` for links (firm/settings.py, .env.example).
"""

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


def site_url(path: str) -> str:
    """The absolute address of ``path`` (``/calls/unassigned/?…``) at ``SITE_URL``."""
    return settings.SITE_URL.rstrip("/") + path


def email_message(
    name: str, context: dict, *, to: list[str], attachments: Iterable[Attachment] = ()
) -> EmailMultiAlternatives:
    """The e-mail ``templates/email/NAME*`` renders for ``context``, in the firm's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"email/{name}_subject.txt", context).split())
        text = render_to_string(f"email/{name}.txt", context)
        html = render_to_string(f"email/{name}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to)
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


# What a failed send raises: the server refused (smtplib), or could not be reached or went
# away (OSError: refused connection, timeout, reset).
SEND_ERRORS = (smtplib.SMTPException, OSError)


def describe_send_error(error: BaseException) -> str:
    """A failed send in one line, for the report and the admin."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = "; ".join(
            f"{address}: {code} {_text(reply)}"
            for address, (code, reply) in error.recipients.items()
        )
        return f"address refused ({refused})"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"SMTP server refused: {error.smtp_code} {_text(error.smtp_error)}"
    if isinstance(error, smtplib.SMTPException):
        return f"SMTP error: {error}"
    return f"SMTP server unreachable: {error}"


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class Mailer:
    """Sends a run of messages over one SMTP connection (``with Mailer() as mailer``).

    ``send`` returns None when the server accepted the message, else the reason it failed in
    one line; it never raises for a refused address or a server that is down. After a failure
    the next message opens a new connection, so a server that comes back mid-run is used."""

    def __init__(self):
        self.connection = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *exc_info) -> None:
        self._drop()

    def send(self, message: EmailMultiAlternatives) -> str | None:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
        message.connection = self.connection
        try:
            accepted = message.send()
        except SEND_ERRORS as error:
            self._drop()
            return describe_send_error(error)
        if not accepted:
            self._drop()
            return "SMTP server unreachable"
        return None

    def _drop(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001 - a dead connection may fail any way on close
                pass
