"""Pilot tests of N: the open run's notification outbox (per driver and channel), refreshable;
without an open run the key is dimmed and says why; the review counts the run's messages."""

from __future__ import annotations

import tui_world as world
from tui_helpers import open_run, press, running, session, text_of

from app.ops import notify
from app.ops.runs import lock, publish
from app.tui.actions import help_rows
from app.tui.app import NO_RUN_OPEN
from app.tui.dialogs.blocked import BlockedNotice
from app.tui.screens.help import HelpScreen
from app.tui.screens.outbox import OutboxScreen
from app.tui.widgets.footer import CockpitFooter
from storage.outbox import OutboxMessage, message_key


def _lock_and_queue(db) -> list[OutboxMessage]:
    """Run 2 locked, its drivers' messages queued (the world's roster has no contact data), plus one
    email message for a driver with an address, which then fails once."""
    s = session(db)
    assert publish(s, world.DEMO_RUN, world.REASON).run.state == "PUBLISHED"
    assert lock(s, world.DEMO_RUN, world.REASON).run.state == "LOCKED"
    notify.queue(s, world.DEMO_RUN)
    run = s.store.plans.get(s.scope, world.DEMO_RUN)
    driver = sorted(s.store.plans.detail(s.scope, world.DEMO_RUN).assignments.values())[0]
    key = message_key(run.tenant, run.site, run.id, driver, "email")
    s.store.outbox.enqueue(s.scope, [OutboxMessage(
        key=key, tenant=run.tenant, site=run.site, plan_id=run.id, driver_id=driver, channel="email",
        address="driver@example.at", subject="Your week", body="Mo 06:00", ics=b"")])
    s.store.outbox.record_attempt(s.scope, key, error="smtp 127.0.0.1:25: connection refused", next_attempt_at=None)
    return s.store.outbox.for_plan(s.scope, world.DEMO_RUN)


def _row(app, key: str) -> tuple[str, ...]:
    table = app.screen.query_one("#outbox-table")
    return table.row_text(table.visible_keys.index(key))


async def test_n_without_a_run_says_why_and_is_in_footer_and_help(cockpit):
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        text = app.screen.query_one(CockpitFooter).render().plain
        assert "N Outbox" in text
        assert app.screen.active_bindings["N"].enabled is False  # dimmed: no run open
        await press(pilot, "N")
        assert isinstance(app.screen, BlockedNotice)
        assert text_of(app, "#blocked-why") == "✗ " + NO_RUN_OPEN
        await press(pilot, "escape")
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert any(key == "N" and "notifications" in what for key, what in help_rows())


async def test_n_lists_the_outbox_per_driver_and_r_refreshes(cockpit, store):
    messages = _lock_and_queue(store)
    failing = next(m for m in messages if m.channel == "email")
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await open_run(pilot, world.DEMO_RUN)
        counts = text_of(app, "#review-outbox")
        silent = len(messages) - 1
        assert f"1 queued · 0 sent · 0 failed · {silent} without contact data" in counts, counts
        await press(pilot, "N")
        assert isinstance(app.screen, OutboxScreen)
        table = app.screen.query_one("#outbox-table")
        assert table.row_count == len(messages)
        row = _row(app, failing.key)
        assert row[:5] == (failing.driver_id, "email", "PENDING", "1", "smtp 127.0.0.1:25: connection refused"), row
        assert row[5] == "-"
        assert "1 queued" in text_of(app, "#outbox-title")

        s = session(store)  # the gateway accepts it now (another process sent it)
        s.store.outbox.record_attempt(s.scope, failing.key, error=None, next_attempt_at=None)
        await press(pilot, "r")
        row = _row(app, failing.key)
        assert row[2:4] == ("SENT", "2") and row[4] == "-" and row[5] != "-", row
        assert "0 queued · 1 sent" in text_of(app, "#outbox-title")
        await press(pilot, "escape")
        assert not isinstance(app.screen, OutboxScreen)
