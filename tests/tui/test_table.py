"""RosterTable on its own: cursor keys, scrolling, messages, filter, sort, plain text, export."""

from __future__ import annotations

import csv

from rich.text import Text
from textual.app import App, ComposeResult
from tui_helpers import shown_lines

from app.tui.widgets.table import RosterTable

ROWS = [(f"D{n:03d}", (f"D{n:03d}", f"{40 - n % 7}.5", "FTE" if n % 3 else "PT")) for n in range(1, 101)]


class TableApp(App[None]):
    def __init__(self, fixed_columns: int = 0) -> None:
        super().__init__()
        self.events: list[tuple[str, str | None]] = []
        self.fixed = fixed_columns

    def compose(self) -> ComposeResult:
        yield RosterTable(id="t", fixed_columns=self.fixed)

    def on_mount(self) -> None:
        table = self.query_one(RosterTable)
        table.set_data(("driver", "hours", "type"), ROWS)
        table.focus()

    def on_roster_table_row_highlighted(self, event: RosterTable.RowHighlighted) -> None:
        self.events.append(("highlighted", event.key))

    def on_roster_table_row_selected(self, event: RosterTable.RowSelected) -> None:
        self.events.append(("selected", event.key))


async def test_cursor_keys_scroll_and_messages():
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:  # header + 11 rows in view
        table = app.query_one(RosterTable)
        lines = shown_lines(table)
        assert lines[0].split() == ["driver", "hours", "type"]
        assert lines[1].split() == ["D001", "39.5", "FTE"] and table.selected_key == "D001"

        await pilot.press("down", "down")
        assert table.selected_key == "D003"
        assert app.events == [("highlighted", "D002"), ("highlighted", "D003")]
        await pilot.press("enter")
        assert app.events[-1] == ("selected", "D003")  # a selection is not also a highlight
        assert len(app.events) == 3

        await pilot.press("pagedown")
        assert table.cursor_row == 2 + 11 and table.scroll_y > 0  # a page is the 11 rows in view
        shown = [line.split()[0] for line in shown_lines(table)[1:]]
        assert table.selected_key in shown
        await pilot.press("end")
        assert table.selected_key == "D100" and shown_lines(table)[-1].split()[0] == "D100"
        await pilot.press("home")
        assert table.selected_key == "D001" and table.scroll_y == 0
        await pilot.press("up")  # at the top: stays
        assert table.selected_key == "D001"


async def test_a_click_moves_the_cursor_and_a_second_click_selects():
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(RosterTable)
        await pilot.click(RosterTable, offset=(2, 4))  # line 4 = the 4th row under the header
        assert table.selected_key == "D004"
        await pilot.click(RosterTable, offset=(2, 4))
        assert app.events[-1] == ("selected", "D004")
        await pilot.click(RosterTable, offset=(2, 0))  # the header: nothing
        assert table.selected_key == "D004"


async def test_filter_sort_keep_the_cursor_on_its_row():
    app = TableApp()
    async with app.run_test(size=(40, 12)) as pilot:
        table = app.query_one(RosterTable)
        table.select_key("D010")
        table.apply_filter("pt")  # rows whose text contains "pt" (the PT drivers)
        assert table.row_count == 33 and table.total_count == 100
        assert all(table.row_text(i)[2] == "PT" for i in range(table.row_count))
        table.apply_filter("d01 pt")  # every term must match
        assert table.visible_keys == ["D012", "D015", "D018"]
        table.apply_filter("")
        assert table.row_count == 100
        table.select_key("D050")
        assert table.sort_by(0) == "sorted by driver ▲"
        assert table.sort_by(0) == "sorted by driver ▼"  # the same column again: the other way
        assert table.visible_keys[0] == "D100" and table.selected_key == "D050"
        assert table.sort_by(1) == "sorted by hours ▲"  # numbers sort as numbers
        assert table.sort_state == (1, False) and shown_header(table).split()[:3] == ["driver", "hours", "▲"]
        hours = [float(table.row_text(i)[1]) for i in range(table.row_count)]
        assert hours == sorted(hours)
        await pilot.pause()


def shown_header(table) -> str:
    return table.render_line(0).text


async def test_text_is_shown_as_typed_and_a_cell_style_is_kept(tmp_path):
    app = TableApp()
    async with app.run_test(size=(60, 6)) as pilot:
        table = app.query_one(RosterTable)
        table.set_data(("reason", "state"), [("1", ("per [ops] request [/]", Text("LOCKED", style="bold")))])
        await pilot.pause()
        assert shown_lines(table)[1].split() == ["per", "[ops]", "request", "[/]", "LOCKED"]
        strip = table.render_line(1)
        assert any(seg.text.strip() == "LOCKED" and seg.style.bold for seg in strip)
        assert table.selected_text() == "per [ops] request [/]\tLOCKED"
        path = tmp_path / "t.csv"
        assert table.export_csv(path) == 1
        assert list(csv.reader(path.open(encoding="utf-8"))) == [["reason", "state"], ["per [ops] request [/]", "LOCKED"]]


async def test_wide_tables_scroll_sideways():
    app = TableApp()
    async with app.run_test(size=(30, 8)) as pilot:
        table = app.query_one(RosterTable)
        table.set_data(tuple(f"c{i}" for i in range(8)), [("r", tuple(f"cell-{i}" for i in range(8)))])
        await pilot.pause()
        assert table.virtual_size.width == 8 * (len("cell-0") + 2)
        assert "cell-7" not in shown_lines(table)[1]
        for _ in range(8):  # a column at a time, until the right edge
            await pilot.press("right")
        assert table.scroll_x == table.max_scroll_x > 0
        assert shown_lines(table)[1].rstrip().endswith("cell-7") and shown_lines(table)[0].rstrip().endswith("c7")
        await pilot.press("left")
        assert table.scroll_x < table.max_scroll_x


async def test_an_empty_table_has_no_selection():
    app = TableApp()
    async with app.run_test(size=(40, 8)) as pilot:
        table = app.query_one(RosterTable)
        table.set_data(("driver",), [])
        await pilot.press("down", "enter")
        assert table.selected_key is None and table.selected_text() == ""
        assert ("selected", None) not in app.events


async def test_fixed_columns_stay_while_the_rest_scrolls():
    app = TableApp(fixed_columns=1)
    async with app.run_test(size=(30, 8)) as pilot:
        table = app.query_one(RosterTable)
        table.set_data(("driver", *(f"c{i}" for i in range(8))), [("D001", ("D001", *(f"cell-{i}" for i in range(8))))])
        await pilot.pause()
        await pilot.press("right")  # a column at a time
        assert table.scroll_x == len(" cell-0 ")
        for _ in range(8):
            await pilot.press("right")
        header, row = shown_lines(table)[:2]
        assert header.startswith(" driver ") and row.startswith(" D001 ")  # still there
        assert row.rstrip().endswith("cell-7") and "cell-0" not in row
