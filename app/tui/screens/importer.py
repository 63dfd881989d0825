"""Import a forecast: a path (typed, or picked in the file tree), the validation report, and
enter again to store it. The week field proposes next week until the file names its own week;
then it shows the file's, and a week typed that differs from the file's is warned of."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DirectoryTree, Input, Label, Static

from app.errors import UserError, said
from app.i18n import N_, _
from app.reports import render_report
from app.tui.messages import ImportChecked, WorkFailed
from app.tui.widgets.footer import CockpitFooter
from storage.errors import StoreError

if TYPE_CHECKING:
    from app.tui.backend import CockpitBackend


HINT = N_("enter validates; enter again stores a PASS/WARN forecast · ctrl+u clears a field · tab: the files · esc back")


NOT_FORECASTS = (".duckdb", ".wal", ".lock", ".duckdb.key", ".duckdb.heads")  # a store and its companions


class ForecastFiles(DirectoryTree):
    """The current directory's files, hidden ones and the store's left out; enter on a file picks it."""

    def filter_paths(self, paths):
        return [p for p in paths if not p.name.startswith(".") and not p.name.endswith(NOT_FORECASTS)]


class ImportScreen(Screen[int | None]):
    """Dismisses with the stored forecast id, or None."""

    BINDINGS = [Binding("escape", "back", N_("Back"), id="import.back")]

    def __init__(self, ctx: CockpitBackend, site: str, default_anchor: str) -> None:
        """`site`: the user's first, proposed (the file's own site or one typed wins)."""
        super().__init__()
        self._ctx = ctx
        self._anchor = default_anchor
        self._site = site
        self._validated: tuple[str, str, str] | None = None  # inputs that passed validation
        self._report_of = ""  # the file whose report is shown

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
            yield Static(_(HINT), markup=False, id="import-hint")
            with Horizontal(id="import-below"):
                yield ForecastFiles(Path.cwd(), id="import-tree")
                with VerticalScroll(id="import-report-box"):
                    yield Static("", markup=False, id="import-report")
        yield CockpitFooter()

    def _inputs(self) -> tuple[str, str, str]:
        return tuple(self.query_one(f"#import-{n}", Input).value.strip() for n in ("path", "anchor", "site"))  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    @on(DirectoryTree.FileSelected)
    def _picked(self, event: DirectoryTree.FileSelected) -> None:
        """A file picked in the tree: its path (relative to here when it can be) and validate it."""
        event.stop()
        try:
            shown = event.path.relative_to(Path.cwd())
        except ValueError:
            shown = event.path
        self.query_one("#import-path", Input).value = str(shown)
        self._submitted()

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
        try:  # the file is read here, in remote mode too (then sent to the server)
            outcome = self._ctx.import_forecast(Path(path).expanduser(), store=store, **given)
        except (UserError, StoreError) as exc:  # refusals (role, store, file) are shown here in one line
            self.post_message(WorkFailed(f"✖ {said(exc)}"))
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
            self._validated_report(message.inputs, outcome.report, outcome.warnings, outcome.file_week)

    def _hint(self, text: str) -> None:
        self.query_one("#import-hint", Static).update(text)

    def _file_week(self, inputs: tuple[str, str, str], file_week: str | None) -> tuple[tuple[str, str, str], list[str]]:
        """The week the file names: shown in the week field while that holds only the proposal;
        a week typed that differs from it is said (the report fails naming both)."""
        path, anchor, site = inputs
        if not file_week or file_week == anchor:
            return inputs, []
        if anchor in ("", self._anchor):
            self._anchor = file_week  # still a proposal (not an option), now the file's own week
            self.query_one("#import-anchor", Input).value = file_week
            return (path, file_week, site), [_("week {week} taken from the file").format(week=file_week)]
        return inputs, [_("the week chosen, {anchor}, does not match the file's own week {week}").format(anchor=anchor, week=file_week)]

    def _validated_report(self, inputs: tuple[str, str, str], report, warnings: list[str], file_week: str | None = None) -> None:
        inputs, said = self._file_week(inputs, file_week)
        warnings = said + warnings
        if inputs[0] != self._report_of:  # a new file: its report starts at the top
            self._report_of = inputs[0]
            self.query_one("#import-report-box", VerticalScroll).scroll_home(animate=False)
        self.query_one("#import-report", Static).update(render_report(report, inputs[0], report.status))
        if report.status == "FAIL":
            self._validated = None
            self._hint("".join(f"▲ {w}\n" for w in said)
                       + _("✖ FAIL: nothing can be stored; fix the file (or week/site) and press enter to validate again"))

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
