"""What the table readers share: cell text clean-up and how merged cells become grid cells.

A merged cell is emitted once per source row it covers (spec §10.4, as in the text layouts):

* in its first row, its text, once, however many columns it spans (a colspan is never spread);
* in each later row it covers (a rowspan / vertical merge), one empty cell "" at its leftmost column,
  so that the positions of the cells after it hold and a group label shows only on its first row.

A continuation of a *label* cell at the very end of a row is dropped: nothing follows it, so no position
depends on it, and it is no value slot (e.g. the 总计 header spanning the 2nd and 3rd header rows of
table 三 would otherwise leave a blank "value" after `其他` in the 3rd header row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.normalize import parse_value

_WS = re.compile(r"\s+")


def clean(text: str) -> str:
    """Whitespace-normalised cell or line text: NBSP, U+3000, newlines and runs of spaces → one space."""
    return _WS.sub(" ", text.replace("\u200b", "").replace("\ufeff", "")).strip()


@dataclass(frozen=True)
class Slot:
    """One emitted position of a row: a cell's own text, or the continuation of a cell from above."""

    text: str
    continued_from: str | None = None  # the text of the merged cell this continues (None: own cell)


def finish_row(slots: list[Slot]) -> list[str]:
    """The row's cells: trailing label continuations dropped; a row of nothing but blanks is a blank line."""
    end = len(slots)
    while end > 0 and slots[end - 1].continued_from is not None and parse_value(slots[end - 1].continued_from) is None:
        end -= 1
    cells = [s.text for s in slots[:end]]
    if not any(c.strip() for c in cells):
        return []
    return cells
