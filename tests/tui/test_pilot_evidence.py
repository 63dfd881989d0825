"""Pilot test of E: the open run's evidence pack, written where `solvereign evidence ID` writes it."""

from __future__ import annotations

import hashlib

import tui_world as world
from tui_helpers import open_run, press, running, session

from engine.evidence import verify_pack


async def test_e_writes_the_open_runs_pack_and_says_where(cockpit, store):
    app = cockpit()
    async with running(app, (120, 40)) as pilot:
        await press(pilot, "E")  # no run open yet: says so, writes nothing
        assert not (store.parent / "artifacts").exists()
        await open_run(pilot, world.DEMO_RUN)
        await press(pilot, "E")
        s = session(store)
        site = s.store.plans.get(s.scope, world.DEMO_RUN).site
        pack = store.parent / "artifacts" / "evidence" / world.TENANT / site / f"evidence_pack_{world.DEMO_RUN}.zip"
        digest = "sha256:" + hashlib.sha256(pack.read_bytes()).hexdigest()
        messages = [n.message for n in app._notifications]
        assert any(str(pack) in m and digest in m for m in messages), messages
    assert verify_pack(pack.read_bytes()).ok
    assert [p.sha256 for p in s.store.evidence.for_plan(s.scope, world.DEMO_RUN)] == [digest]
