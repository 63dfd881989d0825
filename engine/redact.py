"""GDPR redaction of a stored forecast's raw input: the erased driver's entry in a contract JSON's
`drivers` list gets the pseudonym for id and name and loses its contact data. Pure: bytes in, bytes
out. Only the JSON contract carries drivers (CSV, export and text shapes hold tours only)."""

from __future__ import annotations

import json

CONTACT_FIELDS = ("email", "phone", "preferred_channel")


def redact_driver(raw: bytes, source_format: str, driver_id: str, alias: str) -> bytes | None:
    """The raw bytes with the driver pseudonymised, or None when they hold no entry of the driver."""
    if source_format != "json":
        return None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    drivers = doc.get("drivers") if isinstance(doc, dict) else None
    if not isinstance(drivers, list):
        return None
    hit = False
    for entry in drivers:
        if isinstance(entry, dict) and str(entry.get("external_id")) == driver_id:
            entry.update(external_id=alias, name=alias)
            for key in CONTACT_FIELDS:
                entry.pop(key, None)
            hit = True
    return (json.dumps(doc, ensure_ascii=False, indent=1) + "\n").encode("utf-8") if hit else None
