"""A DataTable that keeps its full row set, so `/` can hide rows and `o` can sort."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable

Cell = str | Text | int | float


class RosterTable(DataTable):
    """Row keys are domain ids (run id, driver id, instance id)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._columns: list[str] = []
        self._rows: list[tuple[str, tuple[Cell, ...]]] = []
        self._filter = ""
        self._sort_col: int | None = None
        self._sort_reverse = False

    def set_data(self, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[Cell]]]) -> None:
        keep = self.selected_key
        if list(columns) != self._columns:
            self.clear(columns=True)
            self._columns = list(columns)
            for name in columns:
                self.add_column(name, key=name)
        # plain text, never markup: a reason like "per [ops] request" or "[/]" must show as typed
        # (DataTable parses str cells as Rich markup); Text cells also skip that parse (faster)
        self._rows = [(key, tuple(_text(c) for c in cells)) for key, cells in rows]
        self._render_rows(keep)

    def _render_rows(self, keep: str | None = None) -> None:
        rows = [r for r in self._rows if self._matches(r[1])]
        if self._sort_col is not None:
            col = self._sort_col
            rows.sort(key=lambda r: _sort_value(r[1][col]), reverse=self._sort_reverse)
        self.clear(columns=False)
        self.add_rows([cells for _, cells in rows])  # keys follow below, in the same order
        self._visible_keys = [key for key, _ in rows]
        if keep in self._visible_keys:
            self.move_cursor(row=self._visible_keys.index(keep), animate=False)

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

    def cycle_sort(self) -> str:
        """Next column ascending, then descending; returns a label for the status line."""
        if not self._columns:
            return ""
        if self._sort_col is None:
            self._sort_col, self._sort_reverse = 0, False
        elif not self._sort_reverse:
            self._sort_reverse = True
        else:
            self._sort_col, self._sort_reverse = (self._sort_col + 1) % len(self._columns), False
        self._render_rows(self.selected_key)
        return f"sorted by {self._columns[self._sort_col]} {'↓' if self._sort_reverse else '↑'}"

    @property
    def selected_key(self) -> str | None:
        keys = getattr(self, "_visible_keys", [])
        if not keys or self.cursor_row < 0 or self.cursor_row >= len(keys):
            return None
        return keys[self.cursor_row]

    def select_key(self, key: str) -> bool:
        keys = getattr(self, "_visible_keys", [])
        if key not in keys:
            return False
        self.move_cursor(row=keys.index(key), animate=False)
        return True

    @property
    def visible_count(self) -> int:
        return len(getattr(self, "_visible_keys", []))

    @property
    def total_count(self) -> int:
        return len(self._rows)

    def selected_text(self) -> str:
        """The selected row as tab-separated text (for the clipboard)."""
        key = self.selected_key
        cells = next((c for k, c in self._rows if k == key), None)
        return "\t".join(_plain(c) for c in cells) if cells else ""

    def export_csv(self, path: Path) -> int:
        """The visible rows, in their current order; returns the row count."""
        keys = getattr(self, "_visible_keys", [])
        by_key = dict(self._rows)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(self._columns)
            for key in keys:
                writer.writerow([_plain(c) for c in by_key[key]])
        return len(keys)


def _text(cell: Cell) -> Text:
    return cell if isinstance(cell, Text) else Text(str(cell), end="")


def _plain(cell: Cell) -> str:
    return cell.plain if isinstance(cell, Text) else str(cell)


def _sort_value(cell: Cell) -> tuple[int, float | str]:
    text = _plain(cell).strip().rstrip("%h")
    try:
        return (0, float(text))
    except ValueError:
        return (1, text.lower())
