"""An httpx client offering the use-case surface the CLI calls, answered by the server.

Results come back as the same models app/ops returns, so the commands print them unchanged;
a refusal comes back as the same `UserError` with the exit code the server's ops layer chose.
GETs are retried on transport errors; POSTs carry an Idempotency-Key, so their retries are safe too."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote
from typing import Any

import httpx

from app.errors import EXIT_BLOCKED, EXIT_FAILED, Unreachable, UserError
from app.i18n import _
from app.ops.baseline import BaselineSummary
from app.ops.drills import DrillReport
from app.ops.edit import EditOutcome
from app.ops.evidence import PackCheck
from app.ops.forecast_view import ForecastLine
from app.ops.forecasts import ImportOutcome, read_upload
from app.ops.freeze import FreezeView, FrozenDays
from app.ops.gdpr import ErasureOutcome
from app.ops.handoff import Handoff
from app.ops.jobs import JobsView
from app.ops.notify import NotifyReport
from app.ops.repair import RepairPreview
from app.ops.roster import RosterImport, RosterRejected
from app.ops.runs import ActionOutcome, RunView
from app.ops.solving import twins_of
from app.ops.status import StatusView
from app.ops.tenancy import check_tenant
from app.ops.versions import Base
from engine.contract import ValidationReport
from engine.diff import ForecastDiff, PlanDiff
from engine.models import CanonicalForecast
from engine.roster import RosterProblem
from engine.solver.progress import Heartbeat
from storage.gdpr import ErasureRequest
from storage.models import (
    ApprovalRecord, ChainReport, DriverRecord, ForecastRecord, KillSwitch, Pin, RunDetail, RunSummary, SiteRecord, UserRecord,
)
from storage.outbox import UNSENT, OutboxMessage
from storage.repo_alerts import AlertRecord

RETRIES = 3
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
FINISHED = frozenset({"AUDITED", "FAILED", "ERROR", "CANCELLED"})  # a server solve job's last states
INTERACTIVE_TIMEOUT = httpx.Timeout(10.0, connect=3.0)  # the cockpit: a banner sooner than a CLI gives up


class RemoteOps:
    def __init__(self, url: str, key: str | None, *, transport: httpx.BaseTransport | None = None,
                 timeout: httpx.Timeout = TIMEOUT) -> None:
        if not key:
            raise UserError(_("remote mode needs an API key: set SOLVEREIGN_API_KEY or api_key in the config file (0600)"),
                            EXIT_BLOCKED)
        self.url = url.rstrip("/")
        self._http = httpx.Client(base_url=self.url, headers={"X-API-Key": key}, timeout=timeout, transport=transport)

    # --- the surface ---

    def status(self) -> StatusView:
        return StatusView.model_validate(self._get("/api/v1/status"))

    def list_runs(self, *, site: str | None = None, week: date | None = None, states: list[str] | None = None,
                  limit: int = 50) -> list[RunSummary]:
        params: dict[str, Any] = {"limit": limit, "site": site, "week": week.isoformat() if week else None, "state": states}
        body = self._get("/api/v1/plans", {k: v for k, v in params.items() if v is not None})
        return [RunSummary.model_validate(r) for r in body["plans"]]

    def show_run(self, run_id: int) -> RunView:
        return RunView.model_validate(self._get(f"/api/v1/plans/{run_id}/view"))

    def decide(self, action: str, run_id: int, reason: str) -> ActionOutcome:
        """publish / lock / reject; a lost lock race (409 with the run) is "already LOCKED", exit 0, as locally."""
        try:
            body = self._post(f"/api/v1/plans/{run_id}/{action}", {"reason": reason})
        except _Refused as exc:
            if exc.status == 409 and action == "lock" and "run" in exc.body:
                return ActionOutcome(run=RunSummary.model_validate(exc.body["run"]), message=exc.body["error"], changed=False)
            raise exc.as_user_error() from None
        return ActionOutcome(run=RunSummary.model_validate(body["run"]), message=body["message"],
                             superseded=body.get("superseded", []))

    def jobs(self) -> JobsView:
        return JobsView.model_validate(self._get("/api/v1/jobs"))

    # --- forecasts ---

    def import_forecast(self, path: Path, *, fmt: str, site: str | None, anchor: str | None,
                        tenant: str | None) -> ImportOutcome:
        """Upload the file; the same outcome as a local import (a FAIL: the report, nothing stored)."""
        if tenant:
            check_tenant(self.status().tenant, tenant)
        return self.upload_forecast(path, store=True, fmt=fmt, site=site, anchor=anchor)

    def solve(self, forecast_id: int, *, seed: int, time_limit: float, progress: Callable[[Heartbeat], None],
              on_state: Callable[[str], None], cancel: threading.Event | None = None) -> tuple[RunSummary, list[int]]:
        """Queue the solve, follow it over server-sent events (reconnecting where a stream broke off), and
        answer the run and its identical twins. Ctrl-C cancels the server's solve, then goes on as Ctrl-C;
        setting `cancel` (the cockpit's esc) cancels it too and follows it to its end (the best plan kept)."""
        job = self._post(f"/api/v1/forecasts/{forecast_id}/solve", {"seed": seed, "time_limit": time_limit}, refused=True)
        ended = threading.Event()
        if cancel is not None:
            threading.Thread(target=self._cancel_when, args=(job["id"], cancel, ended), daemon=True).start()
        try:
            final = self._follow(job["id"], progress, on_state)
        except KeyboardInterrupt:
            self._send("POST", f"/api/v1/solves/{job['id']}/cancel")
            raise
        finally:
            ended.set()
        if final.get("state") == "ERROR" or final.get("run_id") is None:
            raise UserError(str(final.get("error") or _("the solve ended without a run")), EXIT_FAILED)
        run = RunSummary.model_validate(self._get(f"/api/v1/plans/{final['run_id']}")["run"])
        return run, twins_of(run, self.list_runs(site=run.site, week=run.week_anchor, limit=500)) if run.output_hash else []

    def _cancel_when(self, job_id: str, cancel: threading.Event, ended: threading.Event) -> None:
        while not ended.is_set():
            if cancel.wait(0.2):
                self._send("POST", f"/api/v1/solves/{job_id}/cancel")
                return

    def _follow(self, job_id: str, progress: Callable[[Heartbeat], None], on_state: Callable[[str], None]) -> dict[str, Any]:
        seen, said = 0, None  # events handled (a new stream replays them all); the last state printed
        for attempt in range(RETRIES + 1):
            n = 0
            try:
                with self._http.stream("GET", f"/api/v1/solves/{job_id}/events") as response:
                    if response.status_code >= 400:
                        response.read()
                        raise _Refused(response).as_user_error()
                    for event, data in _events(response.iter_lines()):
                        n += 1
                        if n <= seen:
                            continue
                        seen = n
                        if event == "progress":
                            progress(Heartbeat(phase=data["phase"], drivers=data["drivers"], pt=data["pt"],
                                               standins=data["standins"], bound=data["bound"], elapsed=data["elapsed_s"]))
                        elif event == "state" and data["state"] in FINISHED:
                            if data["state"] != "ERROR":
                                on_state(data["state"])
                            return dict(data)
                        elif event == "state" and data["state"] != said:
                            said = data["state"]
                            on_state(said)
            except httpx.TransportError as exc:
                if attempt == RETRIES:
                    raise self._unreachable(exc) from None
                time.sleep(0.2 * 2**attempt)
        return dict(self._get(f"/api/v1/solves/{job_id}"))

    # --- the approval log ---

    def approvals(self, run_id: int | None) -> list[ApprovalRecord]:
        body = self._get(f"/api/v1/plans/{run_id}/log" if run_id is not None else "/api/v1/log")
        return [ApprovalRecord.model_validate(r) for r in body["records"]]

    def verify_log(self) -> ChainReport:
        body = self._get("/api/v1/log/verify")
        return ChainReport.model_validate({k: v for k, v in body.items() if k != "ok"})

    def list_forecasts(self, *, site: str | None, limit: int) -> list[ForecastRecord]:
        body = self._get("/api/v1/forecasts", {k: v for k, v in {"site": site, "limit": limit}.items() if v is not None})
        return [ForecastRecord.model_validate(f) for f in body["forecasts"]]

    def forecast_days(self, ids: list[int]) -> dict[int, list[int]]:
        if not ids:
            return {}
        return {int(k): v for k, v in self._get("/api/v1/forecast-days", {"id": ids})["days"].items()}

    def diff_forecasts(self, a: int, b: int) -> ForecastDiff:
        return ForecastDiff.model_validate(self._get(f"/api/v1/forecasts/{a}/diff/{b}"))

    def diff_runs(self, a: int, b: int) -> PlanDiff:
        return PlanDiff.model_validate(self._get(f"/api/v1/plans/{a}/diff/{b}"))

    # --- repair, evidence, drills ---

    def repair(self, run_id: int, absent: list[str], *, reason: str, kind: str, start: datetime | None,
               end: datetime | None, override_freeze: bool, time_limit: float, preview: bool,
               ) -> tuple[RepairPreview, RunSummary | None, str | None]:
        """The preview and, when applied, the new version with its message (as apply_repair answers)."""
        body = self._post(f"/api/v1/plans/{run_id}/repair", {
            "absent": absent, "kind": kind, "reason": reason, "override_freeze": override_freeze, "preview": preview,
            "time_limit": time_limit, "start": start.isoformat() if start else None, "end": end.isoformat() if end else None,
        }, refused=True)
        run = RunSummary.model_validate(body["run"]) if body["run"] else None
        return RepairPreview.model_validate(body["preview"]), run, body["message"]

    def undo(self, run_id: int, reason: str) -> RunSummary:
        return RunSummary.model_validate(self._post(f"/api/v1/plans/{run_id}/undo", {"reason": reason}, refused=True)["run"])

    def evidence_pack(self, run_id: int) -> bytes:
        """The plan's pack as the server builds it (the caller writes it where --out says)."""
        return self._send("GET", f"/api/v1/plans/{run_id}/evidence", raw=True)

    def record_evidence(self, run_id: int) -> tuple[str, str, int]:
        """The pack written into the site's folder on the server and recorded: (path, sha256, size)."""
        body = self._post(f"/api/v1/plans/{run_id}/evidence", None, refused=True)
        return body["path"], body["sha256"], body["size"]

    def check_pack(self, data: bytes, *, with_store: bool) -> PackCheck:
        body = self._send("POST", "/api/v1/evidence/verify", content=data, params={"with_store": with_store},
                          headers={"Content-Type": "application/octet-stream"})
        return PackCheck.model_validate(body)

    def drill(self, drill: str, *, run_id: int | None, absent: list[str] | None, horizon_min: int,
              time_limit: float) -> DrillReport:
        body = {"run": run_id, "absent_drivers": absent, "freeze_horizon": horizon_min, "time_limit": time_limit}
        return DrillReport.model_validate(self._post(f"/api/v1/drills/{drill}", body, refused=True))

    def past_drills(self) -> list[DrillReport]:
        return [DrillReport.model_validate(r) for r in self._get("/api/v1/drills")["drills"]]

    # --- admin and drivers ---

    def init(self, tenant: str, site: str, *, name: str, admin: str | None) -> UserRecord:
        body = {"tenant": tenant, "site": site, "name": name, "admin": admin}
        return UserRecord.model_validate(self._post("/api/v1/tenants", body, refused=True))

    def users(self) -> list[UserRecord]:
        return [UserRecord.model_validate(u) for u in self._get("/api/v1/users")["users"]]

    def add_user(self, login: str, *, role: str, tenant: str, sites: list[str], name: str, email: str) -> UserRecord:
        body = {"role": role, "tenant": tenant, "sites": sites, "name": name, "email": email}
        return UserRecord.model_validate(self._send("PUT", f"/api/v1/users/{quote(login, safe='')}", json=body))

    def remove_user(self, login: str) -> UserRecord:
        return UserRecord.model_validate(self._send("DELETE", f"/api/v1/users/{quote(login, safe='')}"))

    def create_key(self, login: str) -> str:
        return str(self._post(f"/api/v1/users/{quote(login, safe='')}/keys", None, refused=True)["key"])

    def sites(self) -> list[SiteRecord]:
        return [SiteRecord.model_validate(x) for x in self._get("/api/v1/sites")["sites"]]

    def set_site(self, site: str, enabled: bool, reason: str | None) -> SiteRecord:
        action = "enable" if enabled else "disable"
        return SiteRecord.model_validate(self._post(f"/api/v1/sites/{quote(site, safe='')}/{action}",
                                                    {"reason": reason or ""}, refused=True))

    def kill_switch(self, on: bool, reason: str) -> KillSwitch:
        return KillSwitch.model_validate(self._post("/api/v1/kill-switch", {"on": on, "reason": reason}, refused=True))

    def drivers(self, site: str | None) -> list[DriverRecord]:
        body = self._get("/api/v1/drivers", {"site": site} if site else None)
        return [DriverRecord.model_validate(d) for d in body["drivers"]]

    def import_drivers(self, site: str | None, data: bytes) -> RosterImport:
        """Upload a roster file; a rejected one raises RosterRejected with every problem, as locally."""
        try:
            body = self._send("POST", "/api/v1/drivers", content=data, params={"site": site} if site else None,
                              refusals=True, headers={"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "text/csv"})
        except _Refused as exc:
            if exc.status == 422 and "problems" in exc.body:
                raise RosterRejected([RosterProblem(p["where"], p["message"]) for p in exc.body["problems"]]) from None
            raise exc.as_user_error() from None
        return RosterImport.model_validate(body)

    def remove_driver(self, external_id: str, *, site: str, reason: str) -> DriverRecord:
        path = f"/api/v1/drivers/{quote(external_id, safe='')}/remove?site={quote(site, safe='')}"
        return DriverRecord.model_validate(self._post(path, {"reason": reason}, refused=True))

    def driver(self, external_id: str, site: str | None) -> DriverRecord:
        return DriverRecord.model_validate(self._get(f"/api/v1/drivers/{quote(external_id, safe='')}",
                                                     {"site": site} if site else None))

    def close(self) -> None:
        self._http.close()

    # --- transport ---

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._send("GET", path, params=params)

    def _post(self, path: str, json: Any, *, refused: bool = False) -> Any:
        """A keyed POST; `refused`: a refusal comes back as the UserError the server's ops layer chose."""
        try:
            return self._send("POST", path, json=json, headers={"Idempotency-Key": uuid.uuid4().hex}, refusals=True)
        except _Refused as exc:
            if not refused:
                raise
            raise exc.as_user_error() from None

    def _send(self, method: str, path: str, *, refusals: bool = False, raw: bool = False, **kwargs: Any) -> Any:
        last: Exception | None = None
        for attempt in range(RETRIES):
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:  # GET or a keyed POST: the same request again is safe
                last = exc
                time.sleep(0.2 * 2**attempt)
                continue
            if response.status_code < 400:
                return response.content if raw else response.json()
            refused = _Refused(response)
            if refusals:
                raise refused
            raise refused.as_user_error()
        raise self._unreachable(last)

    def _unreachable(self, last: Exception | None) -> Unreachable:
        return Unreachable(_("server {url} is unreachable ({name}: {last}); is 'solvereign serve' running there?").format(
            url=self.url, name=type(last).__name__, last=last), EXIT_FAILED)

    def alerts(self, *, include_acked: bool = False) -> list[AlertRecord]:
        """The escalation alerts the key's user sees, worst first (open ones unless `include_acked`)."""
        body = self._get("/api/v1/alerts", {"all": "true"} if include_acked else None)
        return [AlertRecord.model_validate(a) for a in body["alerts"]]

    def ack_alert(self, alert_id: int, reason: str) -> AlertRecord:
        return AlertRecord.model_validate(self._post(f"/api/v1/alerts/{alert_id}/ack", {"reason": reason}, refused=True)["alert"])

    def forecast_lines(self, limit: int = 50) -> list[ForecastLine]:
        """The cockpit's forecasts view (F): each stored forecast with its days and tours per day."""
        body = self._get("/api/v1/forecast-lines", {"limit": limit})
        return [ForecastLine.model_validate(x) for x in body["forecasts"]]

    # --- edits, pins, freeze, notify, GDPR, handoff, baseline solves ---

    def edit(self, run_id: int, **body: Any) -> EditOutcome:
        """A hand edit (move or swap) as `app.ops.edit.edit` takes it: a checked preview or a new version."""
        return EditOutcome.model_validate(self._post(f"/api/v1/plans/{run_id}/edit", body, refused=True))

    def edit_base(self, run_id: int) -> Base:
        """The plan as an edit starts from it (the move dialog's live check runs on it, here)."""
        body = self._get(f"/api/v1/plans/{run_id}/edit-base")
        return Base(detail=RunDetail.model_validate(body["detail"]), forecast=CanonicalForecast.model_validate(body["forecast"]),
                    frozen=frozenset(body["frozen"]), pins=dict(body["pins"]), horizon_min=int(body["horizon_min"]),
                    now=datetime.fromisoformat(body["now"]))

    def pin(self, run_id: int, instance_id: str, *, reason: str, pinned: bool) -> Pin | None:
        body = self._post(f"/api/v1/plans/{run_id}/pins/{quote(instance_id, safe='')}",
                          {"reason": reason, "pinned": pinned}, refused=True)
        return Pin.model_validate(body["pin"]) if body["pin"] else None

    def freeze_of(self, run_id: int) -> tuple[FreezeView, FrozenDays]:
        body = self._get(f"/api/v1/plans/{run_id}/freeze")
        return FreezeView.model_validate(body["freeze"]), FrozenDays.model_validate(body["shape"])

    def freeze_horizon(self, site: str | None, minutes: int | None, reason: str) -> tuple[str, int]:
        """The site's freeze horizon (set first when `minutes` is given): (site, minutes)."""
        params = {"site": site} if site else None
        if minutes is None:
            body = self._get("/api/v1/freeze-horizon", params)
        else:
            try:
                body = self._send("PUT", "/api/v1/freeze-horizon", params=params, refusals=True,
                                  json={"minutes": minutes, "reason": reason}, headers={"Idempotency-Key": uuid.uuid4().hex})
            except _Refused as exc:
                raise exc.as_user_error() from None
        return body["site"], body["horizon_min"]

    def notify(self, run_id: int) -> NotifyReport:
        return NotifyReport.model_validate(self._post(f"/api/v1/plans/{run_id}/notify", None, refused=True))

    def notify_status(self, run_id: int) -> list[dict[str, Any]]:
        return list(self._get(f"/api/v1/plans/{run_id}/notify")["messages"])

    def notify_due(self) -> list[NotifyReport]:
        return [NotifyReport.model_validate(r) for r in self._post("/api/v1/notify/due", None, refused=True)["reports"]]

    def erase_driver(self, site: str | None, driver: str, reason: str) -> ErasureOutcome:
        path = f"/api/v1/drivers/{quote(driver, safe='')}/erase" + (f"?site={quote(site, safe='')}" if site else "")
        return ErasureOutcome.model_validate(self._post(path, {"reason": reason}, refused=True))

    def erasures(self) -> list[ErasureRequest]:
        return [ErasureRequest.model_validate(r) for r in self._get("/api/v1/gdpr/erasures")["erasures"]]

    def handoff(self, kind: str, since: datetime | None) -> Handoff:
        body = {"kind": kind, "since": since.isoformat() if since else None}
        return Handoff.model_validate(self._post("/api/v1/handoff", body, refused=True))

    def baseline_solve(self, forecast_id: int, baseline: int, *, time_limit: float) -> BaselineSummary:
        body = {"baseline": baseline, "time_limit": time_limit}
        return BaselineSummary.model_validate(self._post(f"/api/v1/forecasts/{forecast_id}/baseline-solve", body, refused=True))

    def outbox(self, run_id: int) -> list[OutboxMessage]:
        """The plan's notification outbox, as `notify status` reads it (the messages' bodies stay on the server)."""
        return [OutboxMessage.model_validate(UNSENT | m) for m in self.notify_status(run_id)]

    def upload_forecast(self, path: Path, *, store: bool, fmt: str = "auto", site: str | None = None,
                        anchor: str | None = None, default_site: str | None = None,
                        default_anchor: str | None = None) -> ImportOutcome:
        """The file read here and sent: validated only (`store` False) or imported (a FAIL: the report, nothing stored)."""
        data = read_upload(path)
        if isinstance(data, ImportOutcome):
            return data
        given = {"format": fmt, "site": site, "anchor": anchor, "default_site": default_site, "default_anchor": default_anchor}
        params = {k: v for k, v in given.items() if v}
        if not store:
            return ImportOutcome.model_validate(self._send("POST", "/api/v1/forecasts/preview", content=data, params=params,
                                                           headers={"Content-Type": "text/plain"}))
        try:
            body = self._send("POST", "/api/v1/forecasts", content=data, params=params | {"name": path.name}, refusals=True,
                              headers={"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "text/plain"})
        except _Refused as exc:
            if exc.status == 422 and "report" in exc.body:
                return ImportOutcome(report=ValidationReport.model_validate(exc.body["report"]))
            raise exc.as_user_error() from None
        return ImportOutcome.model_validate(body)


def _events(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Server-sent events as (event, data) pairs; comments (keep-alives) are skipped."""
    event, data = "message", ""
    for line in lines:
        if not line:
            if data:
                yield event, json.loads(data)
            event, data = "message", ""
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data += line[5:].strip()


class _Refused(Exception):
    def __init__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        try:
            self.body: dict[str, Any] = response.json()
        except ValueError:
            self.body = {"error": response.text[:200]}
        super().__init__(self.body.get("error"))

    def as_user_error(self) -> UserError:
        default = EXIT_BLOCKED if self.status in (401, 403, 423) else EXIT_FAILED
        message = str(self.body.get("error") or f"HTTP {self.status}")
        trace = self.body.get("trace_id")
        return UserError(message + (f" (trace {trace})" if trace and self.status >= 500 else ""),
                         int(self.body.get("exit_code", default)))
