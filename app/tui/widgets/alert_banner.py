"""The escalation alert banner: shown while the user's scope has unacknowledged alerts (how many,
the worst severity, the top one), hidden otherwise. It reads them itself in a thread worker, on
mount, every few seconds and after an acknowledgement, so the runs list's read stays as it was."""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.message import Message
from textual.widgets import Static

from app.errors import UserError
from app.i18n import _
from storage.errors import StoreError
from storage.repo_alerts import AlertRecord

SEVERE = ("S0", "S1")  # styled as an incident, not only a warning


class AlertBanner(Static):
    class Loaded(Message):
        def __init__(self, alerts: list[AlertRecord]) -> None:
            super().__init__()
            self.alerts = alerts

    def __init__(self, read: Callable[[], list[AlertRecord]], *, key: str, refresh_seconds: float, **kwargs) -> None:
        """`read`: the open alerts the user sees, worst first; `key`: the acknowledge key, named in the banner."""
        super().__init__("", markup=False, **kwargs)
        self._read = read
        self._key = key
        self._refresh_seconds = refresh_seconds
        self.alerts: list[AlertRecord] = []

    def on_mount(self) -> None:
        self.display = False
        self.reload()
        if self._refresh_seconds > 0:
            self.set_interval(self._refresh_seconds, self.reload)

    @property
    def top(self) -> AlertRecord | None:
        """The alert the acknowledge key acts on: the worst, newest one."""
        return self.alerts[0] if self.alerts else None

    @work(thread=True, exclusive=True, group="alerts", exit_on_error=False)
    def reload(self) -> None:
        try:
            self.post_message(self.Loaded(self._read()))
        except (UserError, StoreError):
            return  # no store or no user: the runs section says why

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        message.stop()
        self.alerts = message.alerts
        top = self.top
        self.display = top is not None
        self.set_class(top is not None and top.severity in SEVERE, "-severe")
        if top is not None:
            self.update(_("⚠ {n} open alert(s), worst {severity} — #{id} {kind}: {message} — {key} acknowledges").format(
                n=len(self.alerts), severity=top.severity, id=top.id, kind=top.kind, message=top.message, key=self._key))
        self.app.refresh_bindings()  # the acknowledge key shows only while there is something to acknowledge
