"""The warehouse's documentation as data: `dbt_like_sql/docs/columns.csv`, one row per table or column.

A row whose column is empty documents the table; a row whose table is `*` documents a column of that name in
every table that has it, unless the table has a row of its own. Read by the `warehouse_docs` asset (COMMENT ON),
by every asset's column schema in the UI (`assets/lib/ui_metadata.py`) and by the spreadsheet export.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assets.lib.storage import PROJECT_ROOT

DOCS_CSV = PROJECT_ROOT / "dbt_like_sql" / "docs" / "columns.csv"
ANY_TABLE = "*"


@dataclass(frozen=True)
class Doc:
    label_zh: str
    meaning: str

    def comment(self) -> str:
        return f"{self.label_zh}：{self.meaning}"


def load_docs(path: Path = DOCS_CSV) -> dict[tuple[str, str], Doc]:
    """(table, column) → Doc; column '' is the table itself, table '*' any table with that column."""
    docs: dict[tuple[str, str], Doc] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            key = (row["table"].strip(), row["column"].strip())
            if key in docs:
                raise ValueError(f"{path.name}: {key} documented twice")
            docs[key] = Doc(row["label_zh"].strip(), row["meaning"].strip())
    return docs


@cache
def project_docs() -> dict[tuple[str, str], Doc]:
    """The project's documentation, read once per process."""
    return load_docs()


def resolve(docs: dict[tuple[str, str], Doc], table: str, column: str | None) -> Doc | None:
    """The doc of a table (`column` None) or of one of its columns; `table` is schema-qualified."""
    if column is None:
        return docs.get((table, ""))
    return docs.get((table, column)) or docs.get((ANY_TABLE, column))


def qualified(relation: str) -> str:
    """`dim_report` → `main.dim_report`; `marts.x` stays."""
    return relation if "." in relation else f"main.{relation}"
