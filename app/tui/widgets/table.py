"""RosterTable: a light, read-only table for thousands of rows, with a row cursor.

Textual's DataTable measures every cell through Rich when rows are added and renders each
visible cell through Rich's pipeline; with 1,400 tours that is most of a second. Here cells
are plain text (optionally with one style per cell), column widths are `cell_len` sums, and
each visible line is built directly as a Strip (Textual's line API, as in toolong): only
the rows in view cost anything. The table keeps its full row set, so `/` can hide rows and
`o` can sort, `c` can hide columns (the first one stays), `e` exports and `y` copies what is shown.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from app.i18n import _

Cell = str | Text | int | float
PAD = 1  # spaces either side of a cell (a table may be set `dense`: one space between cells)


class _RowMessage(Message):
    """A row event; `control` lets `@on(..., "#table-id")` pick the table. (Two siblings, not a
    subclass: a handler for a message class also receives its subclasses.)"""

    def __init__(self, table: RosterTable, key: str | None) -> None:
        super().__init__()
        self.table = table
        self.key = key

    @property
    def control(self) -> RosterTable:
        return self.table


class RosterTable(ScrollView, can_focus=True):
    """Row keys are domain ids (run id, driver id, instance id)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Select", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,ctrl+home", "first", "First row", show=False),
        Binding("end,ctrl+end", "last", "Last row", show=False),
        Binding("left", "scroll_left", "Left", show=False),
        Binding("right", "scroll_right", "Right", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "roster-table--header", "roster-table--cursor", "roster-table--even-row",
    }

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row."""

    class RowSelected(_RowMessage):
        """`enter` (or a click on the cursor row)."""

    def __init__(self, *, id: str | None = None, fixed_columns: int = 1) -> None:
        """`fixed_columns`: how many leading columns stay in place when the table scrolls sideways
        (the first one everywhere: the row's name, e.g. the driver id while the days scroll)."""
        super().__init__(id=id)
        self._fixed = fixed_columns
        self._pad = (PAD, PAD)  # spaces before and after each cell
        self._columns: list[str] = []
        self._rows: list[tuple[str, tuple[Cell, ...]]] = []  # every row, filtered or not
        self._shown: list[tuple[str, tuple[str, ...], tuple[Style | None, ...]]] = []  # in display order
        self._widths: list[int] = []
        self._filter = ""
        self._sort_col: int | None = None
        self._sort_reverse = False
        self._hidden: frozenset[int] = frozenset()  # columns the user chose not to see
        self.cursor_row = 0

    # --- data -------------------------------------------------------------------------

    def set_dense(self, dense: bool) -> None:
        """One space between cells instead of two (set before `set_data`): a week of compact
        cells fits 80 columns."""
        self._pad = (0, 1) if dense else (PAD, PAD)

    def set_data(self, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        """Replace the rows (and the columns); the cursor stays on the same key if it is still there.
        The column names are msgids (marked `N_` where they are declared), shown translated."""
        keep = self.selected_key
        columns = [_(c) for c in columns]
        if columns != self._columns:
            self._columns = columns
            self._sort_col = None
            self._hidden = frozenset()
        self._rows = [(key, tuple(cells)) for key, cells in rows]
        self._render_rows(keep)

    def _render_rows(self, keep: str | None = None) -> None:
        rows = [r for r in self._rows if self._matches(r[1])]
        if self._sort_col is not None:
            col = self._sort_col
            rows.sort(key=lambda r: _sort_value(r[1][col]), reverse=self._sort_reverse)
        # plain text, never markup: a reason like "per [ops] request" or "[/]" shows as typed
        cols = self.shown_columns
        self._shown = [(key, tuple(_plain(cells[i]) for i in cols), tuple(_style(cells[i]) for i in cols))
                       for key, cells in rows]
        self._widths = [cell_len(self._header(i)) for i in cols]
        for _key, texts, _styles in self._shown:
            for i, text in enumerate(texts):
                if (n := cell_len(text)) > self._widths[i]:
                    self._widths[i] = n
        self.virtual_size = Size(sum(w + sum(self._pad) for w in self._widths), len(self._shown) + 1)
        keys = self.visible_keys
        self.cursor_row = keys.index(keep) if keep in keys else min(self.cursor_row, max(0, len(keys) - 1))
        self._scroll_to_cursor()
        self.refresh()

    @property
    def visible_keys(self) -> list[str]:
        return [key for key, _texts, _styles in self._shown]

    def _matches(self, cells: tuple[Cell, ...]) -> bool:
        if not self._filter:
            return True
        return all(term in " ".join(_plain(c) for c in cells).lower() for term in self._filter.split())

    def apply_filter(self, text: str) -> None:
        self._filter = text.strip().lower()
        self._render_rows(self.selected_key)

    @property
    def filter_text(self) -> str:
        return self._filter

    def _header(self, i: int) -> str:
        """A column's name, with ▲ / ▼ on the column the rows are sorted by."""
        name = self._columns[i]
        return f"{name} {'▼' if self._sort_reverse else '▲'}" if i == self._sort_col else name

    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    @property
    def shown_columns(self) -> list[int]:
        """The indices of the columns shown, in order (the first one always)."""
        return [i for i in range(len(self._columns)) if i not in self._hidden]

    def set_hidden(self, columns: set[int] | frozenset[int]) -> None:
        """Hide these columns (by index); the first one, the row's name, never hides."""
        self._hidden = frozenset(c for c in columns if 0 < c < len(self._columns))
        self._render_rows(self.selected_key)

    @property
    def sort_state(self) -> tuple[int | None, bool]:
        """(the sorted column, descending?)"""
        return self._sort_col, self._sort_reverse

    def sort_by(self, column: int) -> str:
        """Sort by this column ascending; the column it is sorted by already: the other way."""
        if self._sort_col == column:
            self._sort_reverse = not self._sort_reverse
        else:
            self._sort_col, self._sort_reverse = column, False
        self._render_rows(self.selected_key)
        return _("sorted by {column} {arrow}").format(column=self._columns[column], arrow="▼" if self._sort_reverse else "▲")


    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._shown)

    @property
    def total_count(self) -> int:
        return len(self._rows)

    def row_text(self, index: int) -> tuple[str, ...]:
        """The cells of the index-th row shown, as text."""
        return self._shown[index][1]

    @property
    def selected_key(self) -> str | None:
        if not self._shown or not 0 <= self.cursor_row < len(self._shown):
            return None
        return self._shown[self.cursor_row][0]

    def select_key(self, key: str) -> bool:
        keys = self.visible_keys
        if key not in keys:
            return False
        self.move_cursor(keys.index(key))
        return True

    def selected_text(self) -> str:
        """The selected row as tab-separated text (for the clipboard)."""
        if self.selected_key is None:
            return ""
        return "\t".join(self._shown[self.cursor_row][1])

    def export_csv(self, path: Path) -> int:
        """The rows shown, in their current order; returns the row count."""
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow([self._columns[i] for i in self.shown_columns])
            writer.writerows(texts for _key, texts, _styles in self._shown)
        return len(self._shown)

    # --- cursor -----------------------------------------------------------------------

    def move_cursor(self, row: int) -> None:
        row = max(0, min(row, len(self._shown) - 1))
        changed = row != self.cursor_row
        self.cursor_row = row
        self._scroll_to_cursor()
        self.refresh()
        if changed:
            self.post_message(self.RowHighlighted(self, self.selected_key))

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # the header takes a line

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._page:
            self.scroll_to(y=self.cursor_row - self._page + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._page)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._page)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._shown) - 1)

    def _column_starts(self) -> list[int]:
        """Where each scrolling column starts (0 = the first one after the fixed columns)."""
        starts, x = [], 0
        for w in self._widths[self._fixed :]:
            starts.append(x)
            x += w + sum(self._pad)
        return starts

    def action_scroll_right(self) -> None:
        """One column to the right (not one character: a week is seven wide columns)."""
        x = int(self.scroll_x)
        nxt = next((s for s in self._column_starts() if s > x), self.max_scroll_x)
        self.scroll_to(x=min(nxt, self.max_scroll_x), animate=False)

    def action_scroll_left(self) -> None:
        x = int(self.scroll_x)
        prev = max((s for s in self._column_starts() if s < x), default=0)
        self.scroll_to(x=prev, animate=False)

    def action_select_cursor(self) -> None:
        if self.selected_key is not None:
            self.post_message(self.RowSelected(self, self.selected_key))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - 1
        if event.y < 1 or not 0 <= row < len(self._shown):
            return
        if row == self.cursor_row:
            self.action_select_cursor()
        else:
            self.move_cursor(row)

    def on_resize(self) -> None:
        self._scroll_to_cursor()

    def on_focus(self) -> None:
        self.refresh()  # the cursor row changes colour

    def on_blur(self) -> None:
        self.refresh()

    # --- painting (line API) ----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            texts: Sequence[str] = [self._header(i) for i in self.shown_columns]
            styles: Sequence[Style | None] = ()
            row_style = base + self.get_component_rich_style("roster-table--header")
        else:
            index = int(self.scroll_y) + y - 1
            if index >= len(self._shown):
                return Strip.blank(width, base)
            _key, texts, styles = self._shown[index]
            row_style = base
            if index % 2:
                row_style += self.get_component_rich_style("roster-table--even-row")
            if index == self.cursor_row:
                row_style += self.get_component_rich_style("roster-table--cursor")
        segments = []
        for i, text in enumerate(texts):
            style = row_style + styles[i] if i < len(styles) and styles[i] else row_style
            before, after = self._pad
            pad = self._widths[i] - cell_len(text) + after if i < len(self._widths) else after
            segments.append(Segment(" " * before + text + " " * pad, style))
        fixed = Strip(segments[: self._fixed])
        rest = Strip(segments[self._fixed :])
        x = int(self.scroll_x)
        rest = rest.crop(x, x + max(0, width - fixed.cell_length))
        return Strip.join([fixed, rest]).crop(0, width).extend_cell_length(width, row_style)


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _style(cell: Cell) -> Style | None:
    if isinstance(cell, Text) and cell.style:
        return Style.parse(cell.style) if isinstance(cell.style, str) else cell.style
    return None


def _sort_value(cell: Cell) -> tuple[int, float | str]:
    text = _plain(cell).strip().rstrip("%h")
    try:
        return (0, float(text))
    except ValueError:
        return (1, text.lower())
