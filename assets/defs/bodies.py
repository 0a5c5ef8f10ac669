"""Layer `bodies`: body identity across years, as a table the SQL marts join on.

The same body reports under slightly different names over the years (`克井镇人民政府` / `克井镇`, a county
prefix present or not). `dim_body_name` maps every organization name printed in `dim_report` to a
`body_key` with the explicit, tested rule of `pipeline/bodies.py` (`assign_body_keys`): normalise,
split a township's administrative prefix from its core, join names whose prefixes are compatible, and
flag as `ambiguous` (with a key of its own) a name that could belong to two different bodies, so that
two bodies are never merged.
"""

from __future__ import annotations

import dagster as dg
import polars as pl

from assets.lib.metadata import duckdb_table_metadata
from assets.lib.resources import DuckDBWarehouse
from pipeline.bodies import assign_body_keys, split_body_name

POOL = "duckdb_write"  # one DuckDB writer at a time, like every asset that writes the warehouse
TABLE = "dim_body_name"

SCHEMA = {
    "organization": pl.Utf8,
    "normalized_name": pl.Utf8,
    "prefix": pl.Utf8,
    "core": pl.Utf8,
    "body_key": pl.Utf8,
    "ambiguous": pl.Boolean,
    "body_name": pl.Utf8,
    "n_reports": pl.Int64,
    "first_year": pl.Int32,
    "last_year": pl.Int32,
}


def body_name_rows(names: list[tuple[str, int, int | None, int | None]]) -> pl.DataFrame:
    """(organization, n_reports, first_year, last_year) per printed name → one row per name with its body.

    `body_name` is the display name of the body: the name of its latest report (then the most used name).
    """
    keys = assign_body_keys(name for name, *_ in names)
    display: dict[str, tuple] = {}
    for name, n, _first, last in names:
        key = keys[name][0]
        rank = (last if last is not None else -1, n, name)
        if key not in display or rank > display[key]:
            display[key] = rank
    rows = []
    for name, n, first, last in sorted(names):
        parts = split_body_name(name)
        key, ambiguous = keys[name]
        rows.append((name, parts.normalized, parts.prefix, parts.core, key, ambiguous, display[key][2], n, first,
                     last))
    return pl.DataFrame(rows, schema=SCHEMA, orient="row")


@dg.asset(
    key=TABLE,
    group_name="bodies",
    kinds={"duckdb"},
    deps=["dim_report"],
    pool=POOL,
    description=(
        "Body identity across years: one row per organization name printed in the reports, with its "
        "`body_key` (pipeline/bodies.py: normalised name, township prefix compatible, never merging two "
        "bodies) and `ambiguous` (a bare name that could be either of two bodies keeps a key of its own)."
    ),
)
def dim_body_name(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
    with warehouse.connect() as conn:
        names = conn.execute(
            "select organization, count(*), min(report_year), max(report_year) from dim_report "
            "where organization is not null and trim(organization) <> '' group by organization"
        ).fetchall()
        frame = body_name_rows([(n, int(c), lo, hi) for n, c, lo, hi in names])
        conn.register("body_name_frame", frame)
        conn.execute("begin transaction")
        try:
            conn.execute(f"create or replace table {TABLE} as select * from body_name_frame order by body_key, "
                         "organization")
            conn.execute("commit")
        except Exception:
            conn.execute("rollback")
            raise
        finally:
            conn.unregister("body_name_frame")
        metadata = duckdb_table_metadata(conn, TABLE, warehouse.database)
        metadata["bodies"] = frame["body_key"].n_unique()
        metadata["ambiguous_names"] = int(frame["ambiguous"].sum())
    return dg.MaterializeResult(metadata=metadata)
