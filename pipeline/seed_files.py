"""The seed CSVs of `dbt_like_sql/seeds/`, generated from the declarations they copy.

The SQL models read the seeds as tables, but their content is declared in Python: the crosswalk in
`pipeline.crosswalk`, the application rows in `pipeline.templates.APPLICATION_ROWS`. Every CSV is written
from its declaration by ``python -m pipeline.seed_files`` (the crosswalk alone also by
``python -m pipeline.crosswalk``), and `tests/pipeline/test_seed_files.py` keeps the committed files identical to
what this module generates, so a declaration and its copy never drift apart.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from collections.abc import Callable

from pipeline import crosswalk
from pipeline.templates import APPLICATION_ROWS

SEEDS_DIR = crosswalk.CSV_PATH.parent

# The group a row of section 三 rolls up into (marts: outcome_group): its merged group, else the row itself.
# 2021 split （六）其他处理 into three sub-rows; they roll up into the row 2019 prints.
_GROUP_ROW = {"other": "other_processing"}


def canonical_mapping() -> str:
    """The 2019 ↔ 2021 crosswalk (spec §8), one row per source field and canonical measure."""
    return crosswalk.to_csv(crosswalk.mappings())


def application_rows() -> str:
    """The rows of the application table of each template, in official order, with their roll-up group."""
    rows = [
        (template, row.key, order, _GROUP_ROW.get(row.group, row.group or row.key))
        for template, app_rows in APPLICATION_ROWS.items()
        for order, row in enumerate(app_rows, start=1)
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")  # the line ends of every committed seed
    writer.writerow(("template", "row_key", "row_order", "outcome_group"))
    writer.writerows(rows)
    return buf.getvalue()


# file name in SEEDS_DIR → its content
SEEDS: dict[str, Callable[[], str]] = {
    crosswalk.CSV_PATH.name: canonical_mapping,
    "application_rows.csv": application_rows,
}


def main(argv: list[str] | None = None) -> int:
    """Write every seed file (`--help` only describes them and writes nothing)."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.seed_files",
        description=f"Write the seed CSVs ({', '.join(SEEDS)}) into {SEEDS_DIR} from their declarations.",
    )
    parser.parse_args(argv)
    SEEDS_DIR.mkdir(parents=True, exist_ok=True)
    for name, generate in SEEDS.items():
        text = generate()
        (SEEDS_DIR / name).write_text(text, encoding="utf-8")
        print(f"wrote {SEEDS_DIR / name} ({text.count(chr(10)) - 1} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
