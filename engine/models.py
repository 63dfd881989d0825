"""Domain models shared by every layer.

Instances are frozen dataclasses (they sit inside the solver's hot loops); the
canonical forecast and everything that crosses a boundary (reports, plan files)
are pydantic models.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

MINUTES_PER_DAY = 1440
DAY_CODES = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
DAY_NAMES = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{2,30}$")  # tenant and site codes


@dataclass(frozen=True, slots=True)
class Instance:
    """One tour instance, in absolute minutes from the anchor Monday 00:00.

    `segments` holds the worked intervals: one for a plain tour, two for a split
    tour (`A-B + C-D`). `start`/`end` are the first segment's start and the last
    segment's end; `day` is the day the instance starts on (1=Mon … 7=Sun).
    """

    id: str
    external_id: str
    instance_no: int
    day: int
    start: int
    end: int
    segments: tuple[tuple[int, int], ...]
    depot: str = "default"
    skill: str = "standard"
    priority: int = 5

    @property
    def work_minutes(self) -> int:
        """Paid minutes: a split tour counts its segments only (R8)."""
        return sum(e - s for s, e in self.segments)

    @property
    def is_split(self) -> bool:
        return len(self.segments) > 1

    @property
    def local_start(self) -> int:
        """Start as minutes after midnight of its own day."""
        return self.start - (self.day - 1) * MINUTES_PER_DAY

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "external_id": self.external_id,
            "instance_no": self.instance_no,
            "day": self.day,
            "start": self.start,
            "end": self.end,
            "segments": [list(s) for s in self.segments],
            "depot": self.depot,
            "skill": self.skill,
            "priority": self.priority,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Instance:
        return cls(
            id=d["id"],
            external_id=d["external_id"],
            instance_no=int(d["instance_no"]),
            day=int(d["day"]),
            start=int(d["start"]),
            end=int(d["end"]),
            segments=tuple((int(a), int(b)) for a, b in d["segments"]),
            depot=d.get("depot", "default"),
            skill=d.get("skill", "standard"),
            priority=int(d.get("priority", 5)),
        )


def instance_sort_key(i: Instance) -> tuple[int, int, int, str, str, str, int]:
    """The canonical order of SPEC §2.2: (day, start, end, depot, skill, external_id)."""
    return (i.day, i.start, i.end, i.depot, i.skill, i.external_id, i.instance_no)


def work_by_driver(instances: Sequence[Instance], assignments: Mapping[str, str]) -> dict[str, dict[int, list[Instance]]]:
    """{driver: {day: [instances]}} from an {instance_id: driver} map; unknown ids are ignored."""
    by_id = {i.id: i for i in instances}
    weeks: dict[str, dict[int, list[Instance]]] = defaultdict(lambda: defaultdict(list))
    for instance_id, driver in assignments.items():
        inst = by_id.get(instance_id)
        if inst is not None:
            weeks[driver][inst.day].append(inst)
    return weeks


MAX_WEEK_HOURS = 55.0  # R8's ceiling; a driver's own max_hours_week may only lower it
ContractType = Literal["full_time", "part_time", "flex"]
Channel = Literal["email", "sms", "webhook", "none"]
CONTACT_FIELDS = ("email", "phone", "preferred_channel")


class DriverSpec(BaseModel):
    """Driver master data (contract JSON `drivers`, the store's roster); R10 applies to these.

    The contact fields are optional and left out of the canonical form while unset, so
    forecasts hashed before they existed keep their `input_hash`.
    """

    model_config = ConfigDict(frozen=True)

    external_id: str = Field(min_length=1, max_length=100)
    name: str = Field(default="", max_length=200)
    skills: tuple[str, ...] = ("standard",)
    depot: str = Field(default="default", min_length=1, max_length=100)
    max_hours_week: float = Field(default=MAX_WEEK_HOURS, gt=0, le=MAX_WEEK_HOURS)
    contract_type: ContractType = "full_time"
    unavailable_days: tuple[int, ...] = ()
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9][0-9 ()/-]{4,30}$")
    preferred_channel: Channel | None = None

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not s.strip() for s in value):
            raise ValueError("a skill name is empty")
        return value

    @field_validator("unavailable_days")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        bad = [d for d in value if not 1 <= d <= 7]
        if bad:
            raise ValueError(f"day {bad[0]} is not 1–7")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> DriverSpec:
        """A preferred channel needs its address (webhook addresses are the tenant's, not the driver's)."""
        needs = {"email": self.email, "sms": self.phone}
        if self.preferred_channel in needs and not needs[self.preferred_channel]:
            raise ValueError(f"preferred_channel {self.preferred_channel} needs " + ("an email" if self.preferred_channel == "email" else "a phone"))
        return self

    def canonical_dict(self) -> dict[str, Any]:
        """The hashed form: every field, minus contact fields that are unset."""
        doc = self.model_dump(mode="json")
        return {k: v for k, v in doc.items() if k not in CONTACT_FIELDS or v is not None}


class CanonicalForecast(BaseModel):
    """The one form every input shape becomes; its JSON is what `input_hash` hashes."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    tenant_code: str
    site_code: str
    week_anchor_date: date
    instances: list[Instance] = Field(default_factory=list)
    drivers: list[DriverSpec] = Field(default_factory=list)

    def to_canonical_dict(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "tenant_code": self.tenant_code,
            "site_code": self.site_code,
            "week_anchor_date": self.week_anchor_date.isoformat(),
            "instances": [i.to_dict() for i in sorted(self.instances, key=instance_sort_key)],
        }
        if self.drivers:
            doc["drivers"] = [d.canonical_dict() for d in sorted(self.drivers, key=lambda d: d.external_id)]
        return doc

    def canonical_json(self) -> str:
        return canonical_dumps(self.to_canonical_dict())

    @property
    def input_hash(self) -> str:
        return sha256_prefixed(self.canonical_json())

    @classmethod
    def from_canonical_dict(cls, doc: dict[str, Any]) -> CanonicalForecast:
        return cls(
            tenant_code=doc["tenant_code"],
            site_code=doc["site_code"],
            week_anchor_date=date.fromisoformat(doc["week_anchor_date"]),
            instances=[Instance.from_dict(d) for d in doc["instances"]],
            drivers=[DriverSpec.model_validate(d) for d in doc.get("drivers", [])],
        )


def canonical_dumps(obj: Any) -> str:
    """Sorted keys, compact separators: the one JSON form we hash."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_prefixed(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return "sha256:" + hashlib.sha256(data).hexdigest()


def at_or_after(reference: int, minute_of_day: int) -> int:
    """The first absolute minute with this time of day at or after `reference`: the one rule for
    a time that comes before its predecessor (it is on the next day, across midnight)."""
    day_start = reference - reference % MINUTES_PER_DAY
    value = day_start + minute_of_day
    return value if value >= reference else value + MINUTES_PER_DAY


def fmt_hhmm(minutes: int) -> str:
    """Minutes of a day (may exceed 1440 for cross-midnight ends) as HH:MM on a 24 h clock."""
    m = minutes % MINUTES_PER_DAY
    return f"{m // 60:02d}:{m % 60:02d}"


QUARTERS = {0: "", 15: "¼", 30: "½", 45: "¾"}


def fmt_hour_short(minutes: int) -> str:
    """Minutes of a day as the compact schedule cell writes them: `6`, `15½`, `7¼`; other
    minutes stay `6:10`."""
    m = minutes % MINUTES_PER_DAY
    hour, minute = divmod(m, 60)
    return f"{hour}{QUARTERS[minute]}" if minute in QUARTERS else f"{hour}:{minute:02d}"
