"""The cockpit in remote mode (`solvereign --api URL`): the same screens and keys, answered by a real
server on loopback (uvicorn, started and stopped by the test) that owns the store."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import tui_world as world
from test_pilot_outbox import _lock_and_queue
from textual.widgets import Input
from test_pilot_repair import move_to_a_fresh_standin, preview_sick_call
from tui_helpers import open_run, press, running, session, settle, shown_lines, text_of, until

from app.ops.api_keys import create_key
from app.remote.client import RemoteOps
from app.tui.app import CockpitApp
from app.tui.backend import RemoteBackend
from app.tui.dialogs.move import MoveDialog
from app.tui.dialogs.reason import ReasonDialog
from app.tui.screens.driver_week import DriverWeekScreen
from app.tui.screens.drills import DrillsScreen
from app.tui.screens.forecasts import ForecastsScreen
from app.tui.screens.importer import ImportScreen
from app.tui.screens.outbox import OutboxScreen
from app.tui.screens.repair import RepairScreen
from app.tui.screens.roster import RosterScreen
from app.tui.screens.solve import SolveScreen
from app.tui.widgets.message_line import MessageLine

sys.path.insert(0, str(Path(__file__).parents[1] / "functional"))
from live_server import client, free_port, served  # noqa: E402


def remote_cockpit(url: str, key: str, login: str = "dana") -> CockpitApp:
    app = CockpitApp(RemoteBackend(RemoteOps(url, key), login), refresh_seconds=0, blink=False, read_ahead=None)
    app.animation_level = "none"
    return app


@contextmanager
def serving(store: Path, prepare: Callable[[Path], object] | None = None) -> Iterator[tuple[str, str]]:
    """(server URL, dana's API key) of a server owning `store`, set up by `prepare` before the server owns it."""
    if prepare is not None:
        prepare(store)
    key = create_key(session(store, world.ADMIN), "dana")
    with served(store, now=world.NOW) as url:
        yield url, key


@pytest.fixture
def server(store: Path) -> Iterator[tuple[str, str]]:
    """A server owning a private copy of the world."""
    with serving(store) as answer:
        yield answer


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
        await press(pilot, "enter")  # a driver's week: p pins the day's tours on the server
        assert isinstance(app.screen, DriverWeekScreen)
        await press(pilot, "p")
        assert "tour(s) pinned" in str(app.screen.query_one(MessageLine).render())
        with client(url, key) as http:
            assert http.get(f"/api/v1/plans/{world.DEMO_RUN}/view").json()["pins"]
        await press(pilot, "m")  # the move dialog checks against the plan the server sent: the pinned day refuses
        assert isinstance(app.screen, MoveDialog)
        await until(pilot, lambda: "type the driver" in text_of(app, "#move-check"), what="the plan loaded")
        app.screen.query_one("#move-driver", Input).value = "S-NEW"
        await until(pilot, lambda: "⚑ pinned" in text_of(app, "#move-check"), what="the pinned refusal")
        await press(pilot, "escape", "escape")
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


async def test_forecasts_and_solve_work_and_the_demo_is_hidden(server):
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        assert app.check_action("demo", ()) is False  # it builds a local store

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


async def test_n_lists_the_outbox_the_server_holds(store: Path):
    messages: list = []
    with serving(store, lambda db: messages.extend(_lock_and_queue(db))) as (url, key):
        failing = next(m for m in messages if m.channel == "email")
        app = remote_cockpit(url, key)
        async with running(app, (120, 40)) as pilot:
            await open_run(pilot, world.DEMO_RUN)
            await press(pilot, "N")
            assert isinstance(app.screen, OutboxScreen)
            table = app.screen.query_one("#outbox-table")
            assert table.row_count == len(messages) > 1
            row = table.row_text(table.visible_keys.index(failing.key))
            assert row[:5] == (failing.driver_id, "email", "PENDING", "1", "smtp 127.0.0.1:25: connection refused"), row
            assert "1 queued" in text_of(app, "#outbox-title")
        with client(url, key) as http:  # the listing leaves the messages themselves on the server
            listed = http.get(f"/api/v1/plans/{world.DEMO_RUN}/notify").json()["messages"]
        assert len(listed) == len(messages) and not {"body", "ics"} & set(listed[0])


async def test_e_writes_the_pack_on_the_server_and_names_its_sha256(server, store: Path):
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app, (120, 40)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "E")
        await until(pilot, lambda: any("evidence pack of run" in n.message for n in app._notifications), what="the pack")
        with client(url, key) as http:
            site = http.get(f"/api/v1/plans/{world.DEMO_RUN}").json()["run"]["site"]
        pack = store.parent / "artifacts" / "evidence" / world.TENANT / site / f"evidence_pack_{world.DEMO_RUN}.zip"
        digest = "sha256:" + hashlib.sha256(pack.read_bytes()).hexdigest()  # written by the server, next to its store
        messages = [n.message for n in app._notifications]
        assert any(str(pack) in m and digest in m for m in messages), messages


async def test_h_lists_the_drills_next_to_the_servers_store(store: Path):
    from app.ops.drills import run_drill

    reports: list = []
    with serving(store, lambda db: reports.append(run_drill(session(db), "freeze-window", run_id=world.DEMO_RUN))) as (url, key):
        app = remote_cockpit(url, key)
        async with running(app) as pilot:
            await press(pilot, "H")
            assert isinstance(app.screen, DrillsScreen)
            table = app.screen.query_one("#drills-table")
            assert table.row_count == 1 and reports[0].verdict in table.row_text(0)
            await press(pilot, "enter")
            assert f"freeze-window {reports[0].verdict}" in text_of(app, "#drills-evidence")


async def test_d_shows_the_roster_the_server_imported(server):
    url, key = server
    with client(url, key) as http:  # another client imports a roster; the cockpit shows the server's answer
        sent = http.post("/api/v1/drivers", params={"site": "graz"}, headers={"Content-Type": "text/csv"},
                         content=b"external_id,name,contract_type,max_hours_week\nG-1,Gerda Graz,part_time,25\n")
        assert sent.status_code == 200, sent.text
    app = remote_cockpit(url, key)
    async with running(app, (120, 40)) as pilot:
        await press(pilot, "D")
        assert isinstance(app.screen, RosterScreen)
        table = app.screen.query_one("#roster-table")
        assert list(table.visible_keys) == ["graz/G-1"]
        assert table.row_text(0)[:5] == ("G-1", "graz", "Gerda Graz", "part_time", "25")


async def test_i_reads_the_file_here_and_the_server_validates_and_stores_it(server, tmp_path: Path, monkeypatch):
    from fixtures.generator import generate_week

    monkeypatch.chdir(tmp_path)  # the file is on the dispatcher's machine, not the server's
    (tmp_path / "bad.csv").write_text("this is not a forecast\n", encoding="utf-8")
    (tmp_path / "week.csv").write_text(generate_week(120, seed=3), encoding="utf-8")
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app, (80, 24)) as pilot:
        await press(pilot, "i")
        assert isinstance(app.screen, ImportScreen)
        assert app.screen.query_one("#import-site", Input).value == "graz"
        await press(pilot, *"bad.csv", "enter")
        assert text_of(app, "#import-hint").startswith("✖ FAIL: nothing can be stored")
        app.screen.query_one("#import-path", Input).value = ""
        await press(pilot, *"week.csv", "enter")
        assert text_of(app, "#import-hint") == "PASS: press enter again to store this forecast · esc back"
        assert "120 instances" in text_of(app, "#import-report")
        with client(url, key) as http:
            assert len(http.get("/api/v1/forecasts").json()["forecasts"]) == 2  # validated, not stored yet
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1
    with client(url, key) as http:
        stored = http.get("/api/v1/forecasts").json()["forecasts"]
    assert len(stored) == 3 and stored[0]["source_name"] == "week.csv" and stored[0]["site"] == "graz"


async def test_r_previews_applies_and_undoes_a_sick_call_on_the_server(server):
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        await preview_sick_call(pilot, app, timeout=60)
        with client(url, key) as http:
            assert len(http.get("/api/v1/plans").json()["plans"]) == 3
        await press(pilot, "ctrl+y")
        await until(pilot, lambda: "diff:" in text_of(app, "#repair-result"), timeout=60, what="the applied repair")
        with client(url, key) as http:
            new = http.get("/api/v1/plans").json()["plans"][0]
        assert new["id"] == 4 and new["kind"] == "repair" and new["parent_plan_id"] == world.DEMO_RUN and new["state"] == "AUDITED"
        await press(pilot, "ctrl+u")
        await until(pilot, lambda: "discarded" in text_of(app, "#repair-result"), what="the undo")
        with client(url, key) as http:
            assert http.get("/api/v1/plans/4").json()["run"]["state"] == "REJECTED"
        await press(pilot, "escape")
        await settle(pilot)
        assert not isinstance(app.screen, RepairScreen)


async def test_a_move_in_a_drivers_week_is_checked_here_and_stored_by_the_server(server):
    url, key = server
    app = remote_cockpit(url, key)
    async with running(app) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        app.action_goto_driver("D001")
        await settle(pilot)
        assert isinstance(app.screen, DriverWeekScreen)
        await move_to_a_fresh_standin(pilot, app)
    with client(url, key) as http:
        newest = http.get("/api/v1/plans", params={"limit": 1}).json()["plans"][0]
    assert newest["kind"] == "edit" and newest["parent_plan_id"] == world.DEMO_RUN
