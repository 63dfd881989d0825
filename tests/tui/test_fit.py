"""The header's fitting by priority: the least important part shortens (with …) or goes first."""

from app.tui.widgets.fit import Part, fit


def test_parts_go_by_rank_and_a_path_keeps_its_end():
    parts = [Part("mode", 0), Part("tenant", 5), Part("sites", 4), Part("/very/long/path/store.duckdb", 3, "left")]
    assert fit(parts, 80) == "mode · tenant · sites · /very/long/path/store.duckdb"
    assert fit(parts, 44) == "mode · sites · /very/long/path/store.duckdb"
    assert fit(parts, 40) == "mode · /very/long/path/store.duckdb"
    assert fit(parts, 30) == "mode · …long/path/store.duckdb"
    assert fit(parts, 12) == "mode"
    assert fit([Part("never dropped, too long", 0)], 10) == "never dro…"
