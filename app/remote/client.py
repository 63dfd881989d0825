"""An httpx client offering the use-case surface the CLI calls, answered by the server.

Results come back as the same models app/ops returns, so the commands print them unchanged;
a refusal comes back as the same `UserError` with the exit code the server's ops layer chose.
GETs are retried on transport errors; POSTs carry an Idempotency-Key, so their retries are safe too."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from app.i18n import _
from app.errors import EXIT_BLOCKED, EXIT_FAILED, Unreachable, UserError
from app.ops.forecast_view import ForecastLine
from app.ops.jobs import JobsView
from app.ops.runs import ActionOutcome, RunView
from app.ops.status import StatusView
from storage.models import ApprovalRecord, ChainReport, ForecastRecord, RunSummary

RETRIES = 3
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
SOLVE_POLL = 0.5
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

    def close(self) -> None:
        self._http.close()

    # --- transport ---

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self._send("GET", path, params=params)

    def _post(self, path: str, json: Any) -> Any:
        return self._send("POST", path, json=json, headers={"Idempotency-Key": uuid.uuid4().hex}, refusals=True)

    def _send(self, method: str, path: str, *, refusals: bool = False, **kwargs: Any) -> Any:
        last: Exception | None = None
        for attempt in range(RETRIES):
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:  # GET or a keyed POST: the same request again is safe
                last = exc
                time.sleep(0.2 * 2**attempt)
                continue
            if response.status_code < 400:
                return response.json()
            refused = _Refused(response)
            if refusals:
                raise refused
            raise refused.as_user_error()
        raise Unreachable(_("server {url} is unreachable ({name}: {last}); is 'solvereign serve' running there?").format(url=self.url, name=type(last).__name__, last=last), EXIT_FAILED)

    # --- the cockpit's reads and solves ---

    def forecasts(self, limit: int = 50) -> list[ForecastRecord]:
        return [ForecastRecord.model_validate(f) for f in self._get("/api/v1/forecasts", {"limit": limit})["forecasts"]]

    def forecast_lines(self, limit: int = 50) -> list[ForecastLine]:
        body = self._get("/api/v1/forecast-lines", {"limit": limit})
        return [ForecastLine.model_validate(x) for x in body["forecasts"]]

    def plan_log(self, run_id: int) -> list[ApprovalRecord]:
        return [ApprovalRecord.model_validate(r) for r in self._get(f"/api/v1/plans/{run_id}/log")["records"]]

    def verify_log(self) -> ChainReport:
        body = self._get("/api/v1/log/verify")
        body.pop("ok", None)  # a property of the report, sent for curl users
        return ChainReport.model_validate(body)

    def solve(self, forecast_id: int, *, seed: int, time_limit: float, on_state: Callable[[str], None],
              progress: Callable[[dict[str, Any]], None], cancel: threading.Event) -> int:
        """Queue a solve on the server and follow it by polling until it ends: the new run's id.
        The API has no cancel: `cancel` stops following (the server solves on), said as a refusal."""
        try:
            job = self._post(f"/api/v1/forecasts/{forecast_id}/solve", {"seed": seed, "time_limit": time_limit})
        except _Refused as exc:
            raise exc.as_user_error() from None
        state, beat = "", None
        while True:
            if job["state"] != state:
                state = job["state"]
                on_state(state)
            if job["progress"] is not None and job["progress"] != beat:
                beat = job["progress"]
                progress(beat)
            if job["finished"]:
                break
            if cancel.wait(SOLVE_POLL):
                raise UserError(_("stopped following solve job {id}: the server solves on (the API has no cancel yet)").format(
                    id=job["id"]), EXIT_FAILED)
            job = self._get(f"/api/v1/solves/{job['id']}")
        if job["run_id"] is None:
            raise UserError(_("solve of forecast {id} {state}: {error}").format(id=forecast_id, state=job["state"],
                                                                              error=job["error"] or "-"), EXIT_FAILED)
        return int(job["run_id"])


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
