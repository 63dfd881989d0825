"""The cockpit in remote mode (`solvereign --api URL`): the same screens and keys, answered by a real
server on loopback (uvicorn, started and stopped by the test) that owns the store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import tui_world as world
from tui_helpers import open_run, press, running, settle, shown_lines, text_of, until

from app.ops.api_keys import create_key
from app.remote.client import RemoteOps
from app.tui.app import CockpitApp
from app.tui.backend import RemoteBackend
from app.tui.dialogs.blocked import BlockedNotice
from app.tui.dialogs.reason import ReasonDialog
from app.tui.screens.driver_week import DriverWeekScreen
from app.tui.screens.forecasts import ForecastsScreen
from app.tui.screens.solve import SolveScreen
from app.tui.widgets.message_line import MessageLine

sys.path.insert(0, str(Path(__file__).parents[1] / "functional"))
from live_server import client, free_port, served  # noqa: E402


def remote_cockpit(url: str, key: str, login: str = "dana") -> CockpitApp:
    app = CockpitApp(RemoteBackend(RemoteOps(url, key), login), refresh_seconds=0, blink=False, read_ahead=None)
    app.animation_level = "none"
    return app


@pytest.fixture
def server(store: Path) -> Iterator[tuple[str, str]]:
    """(server URL, dana's API key) of a server owning a private copy of the world."""
    from tui_helpers import session

    key = create_key(session(store, world.ADMIN), "dana")
    with served(store, now=world.NOW) as url:
        yield url, key


async def reason(pilot, text: str) -> None:
    await press(pilot, *text)
    await press(pilot, "enter")


async def test_review_publish_and_lock_through_the_server(server):
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app) as pilot:
        status = text_of(app, "#status-bar")
        assert "dana (dispatcher)" in status and url in status and "⏱ weekly TUE 08:00: 0 due" in status
        runs = app.query_one("#runs-table")
        assert {"1", "2", "3"} <= set(runs.visible_keys)

        await open_run(pilot, world.DEMO_RUN)  # the review, read through GET /plans/2/view
        assert app.run_view.run.state == "AUDITED"
        assert "P publish" in text_of(app, "#review-actions")
        await press(pilot, "3")  # drivers, from the same view
        assert app.query_one("#drivers-table").row_count == len(app.run_view.weeks) > 0
        await press(pilot, "enter")  # a driver's week; editing it has no endpoint yet: p says so
        assert isinstance(app.screen, DriverWeekScreen)
        await press(pilot, "p")
        assert str(app.screen.query_one(MessageLine).render()) == "! not available in remote mode yet"
        await press(pilot, "escape")
        await press(pilot, "4")
        assert app.query_one("#tours-table").row_count > 0

        # a gate refused by the server stays in the dialog, as a local refusal does
        await press(pilot, "2")
        await press(pilot, "P")
        assert isinstance(app.screen, ReasonDialog)
        await reason(pilot, "checked with the depot lead")
        assert not isinstance(app.screen, ReasonDialog)
        assert app.run_view.run.state == "PUBLISHED"
        await press(pilot, "L")
        await reason(pilot, "final for the week")
        assert app.run_view.run.state == "LOCKED"
        assert runs.row_text(runs.visible_keys.index("2"))[3] == "LOCKED"

        await press(pilot, "5")  # history: the approvals log and the chain's verdict, from the server
        painted = "\n".join(shown_lines(app.query_one("#history-table")))
        assert "checked with the depot lead" in painted and "final for the week" in painted

    with client(url, key) as http:  # what another client of the server sees
        assert http.get("/api/v1/plans/2").json()["status"] == "LOCKED"


async def test_a_refusal_from_the_server_stays_in_the_dialog(server):
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        with client(url, key) as http:  # someone else publishes first: this cockpit's view is stale
            assert http.post("/api/v1/plans/2/publish", json={"reason": "published at another desk"}).status_code == 200
        await press(pilot, "P")
        dialog = app.screen
        await reason(pilot, "checked with the depot lead")
        assert app.screen is dialog  # refused (409/403 from the server): said in the dialog, nothing changed
        assert "plan is PUBLISHED" in text_of(app, "#reason-hint")


async def test_local_only_keys_say_why_and_forecasts_and_solve_work(server):
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        for k in ("i", "R", "E", "H", "D"):
            await press(pilot, k)
            assert isinstance(app.screen, BlockedNotice), k
            assert text_of(app, "#blocked-why") == "✗ not available in remote mode yet"
            await press(pilot, "escape")
        assert app.check_action("demo", ()) is False

        await press(pilot, "F")
        assert isinstance(app.screen, ForecastsScreen)
        assert "2 stored" in text_of(app, "#forecasts-title")
        await press(pilot, "escape")

        await press(pilot, "s")  # solve forecast 2 on the server, following its progress
        assert isinstance(app.screen, SolveScreen)
        table = app.screen.query_one("#solve-forecasts")
        assert table.select_key("2")
        await press(pilot, "enter")
        await until(pilot, lambda: not app.screen.running, timeout=60, what="the remote solve to end")
        done = text_of(app, "#solve-progress")
        assert done.startswith("run 4 AUDITED"), done
        await press(pilot, "enter")
        await settle(pilot)
        assert app.run_view.run.id == 4 and app.section == "review"


async def test_unreachable_server_shows_a_banner_and_recovers(store: Path):
    from tui_helpers import session

    key = create_key(session(store, world.ADMIN), "dana")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = remote_cockpit(url, key)
    async with running(app) as pilot:
        banner = text_of(app, "#banners")
        assert banner.startswith("⚠ SERVER UNREACHABLE") and url in banner
        with served(store, now=world.NOW, port=port):
            app.load_runs()
            await settle(pilot)
            assert "UNREACHABLE" not in text_of(app, "#banners")
            assert "2" in app.query_one("#runs-table").visible_keys
        app.load_runs()  # the server stopped again: the banner is back, the list stays
        await settle(pilot)
        assert text_of(app, "#banners").startswith("⚠ SERVER UNREACHABLE")
        assert "2" in app.query_one("#runs-table").visible_keys


@pytest.mark.parametrize("argv", [["--api", "http://127.0.0.1:1"], ["tui", "--read-only"]])
def test_api_or_its_variable_opens_the_cockpit_on_the_server(argv, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from app.cli import build_parser
    from app.commands.tui import build_app
    from app.remote.select import check_mode

    monkeypatch.setenv("SOLVEREIGN_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SOLVEREIGN_API", "http://127.0.0.1:1")
    monkeypatch.setenv("SOLVEREIGN_API_KEY", "sv_any")
    args = build_parser().parse_args(argv)
    check_mode(args)  # the cockpit has a remote form
    app = build_app(args)
    assert isinstance(app.ctx, RemoteBackend) and app.ctx.remote == "http://127.0.0.1:1"
    assert app.ctx.read_only == ("--read-only" in argv)
