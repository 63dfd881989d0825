"""Email over SMTP and a webhook (an SMS or chat gateway) through httpx; both carry the message's
idempotency key (Message-ID / `Idempotency-Key`), so a resend after a crash is recognisable."""

from __future__ import annotations

import base64
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import httpx

from storage.outbox import OutboxMessage


class SendError(Exception):
    """The channel did not accept the message (retried with backoff)."""


class Channel(Protocol):
    name: str

    def send(self, message: OutboxMessage) -> None: ...


@dataclass(frozen=True)
class SmtpChannel:
    host: str
    port: int = 587
    tls: str = "starttls"  # none | starttls | ssl
    user: str | None = None
    password: str | None = None
    sender: str = "roster@localhost"
    timeout: float = 10.0
    name: str = "email"

    def send(self, message: OutboxMessage) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.address or ""
        mail["Subject"] = message.subject
        mail["Message-ID"] = f"<{message.key}@solvereign>"
        mail["X-Idempotency-Key"] = message.key
        mail.set_content(message.body)
        mail.add_attachment(message.ics, maintype="text", subtype="calendar", filename="week.ics")
        try:
            if self.tls == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.tls == "starttls":
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password or "")
                client.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendError(f"smtp {self.host}:{self.port}: {exc}") from None


@dataclass(frozen=True)
class WebhookChannel:
    url: str
    token: str | None = None
    timeout: float = 10.0
    name: str = "webhook"

    def send(self, message: OutboxMessage) -> None:
        doc = {"idempotency_key": message.key, "driver_id": message.driver_id, "to": message.address,
               "subject": message.subject, "text": message.body, "ics_base64": base64.b64encode(message.ics).decode()}
        self.post(doc, message.key)

    def post(self, doc: dict[str, Any], key: str) -> None:
        """POST one JSON document with its idempotency key (driver messages, escalation alerts)."""
        headers = {"Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            r = httpx.post(self.url, json=doc, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SendError(f"webhook {self.url}: {exc}") from None
        if r.status_code >= 300:
            raise SendError(f"webhook {self.url}: HTTP {r.status_code}")
