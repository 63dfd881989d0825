"""Pilot tests of the escalation alert banner: shown while the user's scope has unacknowledged alerts
(count and worst severity), A acknowledges the top one through the reason dialog, by the roles of its
severity; a role that may not is told why and nothing changes."""

from __future__ import annotations

import tui_world as world
from test_pilot_actions import binding, type_reason
from tui_helpers import press, running, session, text_of

from app.tui.dialogs.blocked import BlockedNotice
from app.tui.dialogs.reason import ReasonDialog
from storage.repo_alerts import NewAlert

REASON = "called the depot, handled it"


def raise_two(db) -> tuple[int, int]:
    """An S2 and an S1 alert in wien, as a solve would raise them."""
    s = session(db, "olga")
    timeout, _new = s.store.alerts.raise_alert(s.scope, NewAlert(
        site=world.SITE, severity="S2", kind="solver_timeout", subject="run 9", message="run 9: the solver hit its time limit"))
    coverage, _new = s.store.alerts.raise_alert(s.scope, NewAlert(
        site=world.SITE, severity="S1", kind="coverage", subject="run 9", message="run 9: coverage 230/240"))
    return timeout.id, coverage.id


def is_open(db, alert_id: int) -> bool:
    s = session(db, "olga")
    return s.store.alerts.get(s.scope, alert_id).acked_at is None


async def test_no_banner_and_no_key_without_open_alerts(cockpit):
    async with running(cockpit("olga")) as pilot:
        assert not pilot.app.query_one("#alert-banner").display
        assert binding(pilot.app, "A") is None  # hidden, not merely dimmed


async def test_banner_shows_count_and_worst_then_a_acknowledges_top_first(cockpit, store):
    timeout, coverage = raise_two(store)
    app = cockpit("olga")
    async with running(app) as pilot:
        banner = app.query_one("#alert-banner")
        assert banner.display and "-severe" in banner.classes  # S1 is styled as an incident
        assert text_of(app, "#alert-banner") == (
            f"⚠ 2 open alert(s), worst S1 — #{coverage} coverage: run 9: coverage 230/240 — A acknowledges")
        assert binding(app, "A").enabled

        await press(pilot, "A")
        assert isinstance(app.screen, ReasonDialog)
        assert str(app.screen.query_one(".dialog-title").render()) == f"Acknowledge alert #{coverage} (S1 coverage)"
        await press(pilot, "escape")  # cancelled: nothing changes
        assert is_open(store, coverage)

        await press(pilot, "A")
        await type_reason(pilot, REASON)
        await press(pilot, "enter")
        assert len(app.screen_stack) == 1 and not is_open(store, coverage) and is_open(store, timeout)
        assert text_of(app, "#alert-banner").startswith(f"⚠ 1 open alert(s), worst S2 — #{timeout} solver_timeout")
        assert "-severe" not in banner.classes

        await press(pilot, "A")
        await type_reason(pilot, REASON)
        await press(pilot, "enter")
        assert not is_open(store, timeout) and not banner.display and binding(app, "A") is None
    s = session(store, "olga")
    acked = s.store.alerts.get(s.scope, coverage)
    assert (acked.acked_by, acked.ack_reason) == ("olga", REASON)


async def test_a_dispatcher_sees_the_banner_but_may_not_acknowledge_s1(cockpit, store):
    _timeout, coverage = raise_two(store)
    app = cockpit("dana")
    async with running(app) as pilot:
        assert app.query_one("#alert-banner").display
        assert binding(app, "A") is not None and not binding(app, "A").enabled  # dimmed, with a reason
        await press(pilot, "A")
        assert isinstance(app.screen, BlockedNotice)
        assert text_of(app, "#blocked-why") == "✗ role dispatcher may not acknowledge an S1 alert (needs ops_lead, platform_admin)"
        await press(pilot, "escape")
    assert is_open(store, coverage)


async def test_an_alert_raised_while_the_cockpit_is_open_appears_on_refresh(cockpit, store):
    app = cockpit("olga")
    async with running(app) as pilot:
        assert not app.query_one("#alert-banner").display
        raise_two(store)
        await press(pilot, "r")
        assert app.query_one("#alert-banner").display and "2 open alert(s)" in text_of(app, "#alert-banner")


async def test_remote_cockpit_shows_the_servers_alerts_and_acknowledges_through_it(store):
    """`--api`: the banner is the server's GET /alerts; A acknowledges with POST …/ack (the store changes)."""
    from test_pilot_remote import remote_cockpit, served  # (that module puts tests/functional on the path)

    from app.ops.api_keys import create_key

    timeout, coverage = raise_two(store)
    key = create_key(session(store, world.ADMIN), "olga")
    with served(store, now=world.NOW) as url:
        app = remote_cockpit(url, key, login="olga")
        async with running(app) as pilot:
            assert text_of(app, "#alert-banner").startswith(f"⚠ 2 open alert(s), worst S1 — #{coverage} coverage")
            await press(pilot, "A")
            assert isinstance(app.screen, ReasonDialog)
            await type_reason(pilot, REASON)
            await press(pilot, "enter")
            assert len(app.screen_stack) == 1
            assert text_of(app, "#alert-banner").startswith(f"⚠ 1 open alert(s), worst S2 — #{timeout} solver_timeout")
    assert not is_open(store, coverage) and is_open(store, timeout)
