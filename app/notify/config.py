"""Where notifications go: environment `SOLVEREIGN_SMTP_*` / `SOLVEREIGN_WEBHOOK_*` > the config
file's `[smtp]` and `[webhook]` tables. A channel without a server is simply not configured."""

from __future__ import annotations

import os

from app.i18n import _
from app.errors import EXIT_FAILED, UserError
from app.notify.channels import Channel, SmtpChannel, WebhookChannel
from app.settings import config_section


def _value(section: dict, env: str, key: str) -> str | None:
    value = os.environ.get(env) or section.get(key)
    return None if value in (None, "") else str(value)


def channels() -> dict[str, Channel]:
    try:
        smtp, hook = config_section("smtp"), config_section("webhook")
    except ValueError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    found: dict[str, Channel] = {}
    host = _value(smtp, "SOLVEREIGN_SMTP_HOST", "host")
    if host:
        tls = _value(smtp, "SOLVEREIGN_SMTP_TLS", "tls") or "starttls"
        if tls not in ("none", "starttls", "ssl"):
            raise UserError(_("smtp tls {tls!r} must be none, starttls or ssl").format(tls=tls), EXIT_FAILED)
        port = _value(smtp, "SOLVEREIGN_SMTP_PORT", "port") or ("465" if tls == "ssl" else "587")
        if not port.isdigit():
            raise UserError(_("smtp port {port!r} is not a number").format(port=port), EXIT_FAILED)
        found["email"] = SmtpChannel(
            host=host, port=int(port), tls=tls, user=_value(smtp, "SOLVEREIGN_SMTP_USER", "user"),
            password=_value(smtp, "SOLVEREIGN_SMTP_PASSWORD", "password"),
            sender=_value(smtp, "SOLVEREIGN_SMTP_FROM", "from") or "roster@localhost",
        )
    url = _value(hook, "SOLVEREIGN_WEBHOOK_URL", "url")
    if url:
        found["webhook"] = WebhookChannel(url=url, token=_value(hook, "SOLVEREIGN_WEBHOOK_TOKEN", "token"))
    return found


def alert_webhook() -> WebhookChannel | None:
    """Where escalation alerts go: SOLVEREIGN_ALERT_WEBHOOK_URL / _TOKEN > the config file's `[alerts]`
    `webhook_url` / `webhook_token`; None when not configured (alerts are then only stored and shown)."""
    try:
        section = config_section("alerts")
    except ValueError as exc:
        raise UserError(str(exc), EXIT_FAILED) from None
    url = _value(section, "SOLVEREIGN_ALERT_WEBHOOK_URL", "webhook_url")
    if not url:
        return None
    return WebhookChannel(url=url, token=_value(section, "SOLVEREIGN_ALERT_WEBHOOK_TOKEN", "webhook_token"), timeout=5.0)


def backoff_seconds() -> float:
    """Base of the retry backoff (doubles per attempt); SOLVEREIGN_NOTIFY_BACKOFF, default 2 s."""
    text = os.environ.get("SOLVEREIGN_NOTIFY_BACKOFF", "2")
    try:
        return max(0.0, float(text))
    except ValueError:
        raise UserError(_("SOLVEREIGN_NOTIFY_BACKOFF {text!r} is not a number").format(text=text), EXIT_FAILED) from None
