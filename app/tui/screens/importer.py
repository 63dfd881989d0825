"""Import a forecast: a path, the validation report, and enter again to store it."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from app.errors import UserError
from app.i18n import N_, _
from app.ops.forecasts import import_forecast, preview_import
from app.ops.session import Session
from app.reports import render_report
from app.tui.messages import ImportChecked, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from storage.errors import StoreError


class ImportScreen(Screen[int | None]):
    """Dismisses with the stored forecast id, or None."""

    BINDINGS = [Binding("escape", "back", N_("Back"), id="import.back")]

    def __init__(self, session: Session, default_anchor: str) -> None:
        super().__init__()
        self._session = session
        self._anchor = default_anchor
        self._site = session.user.sites[0]
        self._validated: tuple[str, str, str] | None = None  # inputs that passed validation

    def compose(self) -> ComposeResult:
        with Vertical(id="import"):
            yield Label(_("Import a forecast"), classes="dialog-title")
            with Horizontal(classes="form-row"):
                yield Label(_("file") + " ", classes="form-label")
                yield Input(placeholder=_("path to the forecast file"), id="import-path")
            with Horizontal(classes="form-row"):
                yield Label(_("week") + " ", classes="form-label")
                yield Input(value=self._anchor, placeholder=_("YYYY-MM-DD (a Monday)"), id="import-anchor")
                yield Label(" " + _("site") + " ", classes="form-label")
                yield Input(value=self._site, id="import-site")
            yield Static(_("enter validates; enter again stores a PASS/WARN forecast · esc back"), markup=False, id="import-hint")
            with VerticalScroll(id="import-report-box"):
                yield Static("", markup=False, id="import-report")
        yield CockpitFooter()

    def _inputs(self) -> tuple[str, str, str]:
        return tuple(self.query_one(f"#import-{n}", Input).value.strip() for n in ("path", "anchor", "site"))  # type: ignore[return-value]

    @on(Input.Submitted)
    def _submitted(self) -> None:
        inputs = self._inputs()
        if not inputs[0]:
            self.query_one("#import-hint", Static).update(_("✖ give a file path"))
            return
        self.query_one("#import-hint", Static).update(_("working…"))
        self._work(inputs, store=inputs == self._validated)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _work(self, inputs: tuple[str, str, str], store: bool) -> None:
        path, anchor, site = inputs
        # the proposed week and site (as shown when the screen opened) only fill what the file
        # leaves open; a value the dispatcher typed is an option and must agree with the file
        given = {
            "anchor": anchor if anchor != self._anchor else None, "default_anchor": self._anchor,
            "site": site if site != self._site else None, "default_site": site or None,
        }
        try:
            if store:
                outcome = import_forecast(self._session, Path(path).expanduser(), **given)
            else:
                outcome = preview_import(self._session, Path(path).expanduser(), **given)
        except (UserError, StoreError) as exc:  # refusals (role, store, file) are shown here in one line
            self.post_message(WorkFailed(f"✖ {exc.message}"))
            return
        self.post_message(ImportChecked(inputs, outcome, store))

    @on(WorkFailed)
    def _failed(self, message: WorkFailed) -> None:
        message.stop()  # said here, not as the app's notice
        self._hint(message.text)

    @on(ImportChecked)
    def _checked(self, message: ImportChecked) -> None:
        outcome = message.outcome
        if message.stored and outcome.forecast is not None:
            self._stored(outcome.forecast.id, outcome.created, outcome.warnings)
        else:  # validated (or it changed since it was validated: show why it fails now)
            self._validated_report(message.inputs, outcome.report, outcome.warnings)

    def _hint(self, text: str) -> None:
        self.query_one("#import-hint", Static).update(text)

    def _validated_report(self, inputs: tuple[str, str, str], report, warnings: list[str]) -> None:
        self.query_one("#import-report", Static).update(render_report(report, inputs[0], report.status))
        if report.status == "FAIL":
            self._validated = None
            self._hint(_("✖ FAIL: nothing can be stored; fix the file (or week/site) and press enter to validate again"))
        else:
            self._validated = inputs
            self._hint("".join(f"▲ {w}\n" for w in warnings)
                       + _("{status}: press enter again to store this forecast · esc back").format(status=report.status))

    def _stored(self, forecast_id: int, created: bool, warnings: list[str]) -> None:
        said = "".join(f" (▲ {w})" for w in warnings)
        text = _("forecast {id} stored{warnings}; press s to solve it") if created else \
            _("forecast {id} was already stored{warnings}; press s to solve it")
        self.app.notify(text.format(id=forecast_id, warnings=said))

        self.dismiss(forecast_id)

    def action_back(self) -> None:
        self.dismiss(None)
