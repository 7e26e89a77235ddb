"""Sending email through the configured SMTP server (smtplib)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from .config import DeskConfig


class MailError(Exception):
    """The message could not be handed to the SMTP server."""


def message(config: DeskConfig, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = config.mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    return msg


def send(config: DeskConfig, to: str, subject: str, body: str) -> None:
    deliver(config, message(config, to, subject, body))


def deliver(config: DeskConfig, msg: EmailMessage) -> None:
    try:
        with smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=15) as smtp:
            if config.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if config.smtp_user:
                smtp.login(config.smtp_user, config.smtp_password)
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as e:
        raise MailError(f"{type(e).__name__}: {e}") from e
