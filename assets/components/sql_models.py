"""`dbt_like_sql/` as Dagster assets: one asset per SQL file (and per seed CSV), deps read from the SQL.

Conventions (DuckDB schema = asset key prefix = group = folder):

* `seeds/<name>.csv` → table `seeds.<name>`, asset `seeds/<name>`;
* `<layer>/<name>.sql` → table `<layer>.<name>`, asset `<layer>/<name>`; the file is one SELECT, and
  its leading `--` comment lines are the asset's description; a header line `-- materialized: view`
  makes it a view instead (for a staging model over millions of rows that only feeds a few marts), and
  `-- materialized: incremental_by_report` recomputes only the reports whose parse changed
  (`assets/lib/incremental.py`, for a per-report mart);
* every table the SELECT reads becomes a dependency: `staging.stg_x` → `staging/stg_x`, and an
  unqualified `fact_x` → `fact_x` (the warehouse tables built in Python live in the main schema).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import dagster as dg
import sqlglot
from sqlglot import exp

from assets.lib.incremental import build_incremental, code_version
from assets.lib.metadata import duckdb_table_metadata
from assets.lib.resources import DuckDBWarehouse
from assets.lib.tables import replace_relation

SEEDS = "seeds"
MATERIALIZED = re.compile(r"materialized:\s*(table|view|incremental_by_report)")


def referenced_tables(sql: str) -> list[list[str]]:
    """Tables a SELECT reads (schema-qualified where written), minus its own CTE names."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    keys = {(t.db, t.name) for t in tree.find_all(exp.Table) if t.name and t.name not in ctes}
    return [[db, name] if db else [name] for db, name in sorted(keys)]


def _header(sql: str) -> list[str]:
    """The lines of the leading `--` comment block, without the `--`."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return lines


def materialization_of(sql: str) -> str:
    """What the header's `-- materialized:` line says (`view`, `incremental_by_report`), else `table`."""
    for line in _header(sql):
        match = MATERIALIZED.fullmatch(line)
        if match:
            return match.group(1)
    return "table"


def description_of(sql: str, fallback: str) -> str:
    """The leading `--` comment block of a SQL file (without the `materialized:` line)."""
    return "\n".join(line for line in _header(sql) if not MATERIALIZED.fullmatch(line)).strip() or fallback


def _code_version(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


class SqlModels(dg.Component, dg.Model, dg.Resolvable):
    """Builds `dbt_like_sql/` into the DuckDB warehouse: seeds, then staging, then marts."""

    sql_dir: str
    pool: str = "duckdb_write"

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        root = Path(self.sql_dir)
        seeds = sorted((root / SEEDS).glob("*.csv"))
        models = sorted(f for f in root.glob("*/*.sql") if f.parent.name not in (SEEDS, "tests"))
        return dg.Definitions(assets=[self._seed(f) for f in seeds] + [self._model(f, root) for f in models])

    def _seed(self, path: Path) -> dg.AssetsDefinition:
        name = path.stem
        text = path.read_text(encoding="utf-8")
        csv = str(path).replace("'", "''")

        @dg.asset(
            key=[SEEDS, name],
            group_name=SEEDS,
            kinds={"duckdb", "csv"},
            pool=self.pool,
            code_version=_code_version(text),
            description=f"Seed table `{SEEDS}.{name}` from dbt_like_sql/{SEEDS}/{path.name} (all columns text).",
        )
        def _asset(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
            with warehouse.connect() as conn:
                conn.execute(f"create schema if not exists {SEEDS}")
                conn.execute(
                    f"create or replace table {SEEDS}.{name} as "
                    f"select * from read_csv('{csv}', header = true, all_varchar = true)"
                )
                metadata = duckdb_table_metadata(conn, f"{SEEDS}.{name}", warehouse.database)
            return dg.MaterializeResult(metadata=metadata)

        return _asset

    def _model(self, path: Path, root: Path) -> dg.AssetsDefinition:
        layer, name = path.parent.name, path.stem
        sql = path.read_text(encoding="utf-8")
        body = sql.strip().rstrip(";")
        kind = materialization_of(sql)
        version = code_version(sql) if kind == "incremental_by_report" else ""

        @dg.asset(
            key=[layer, name],
            deps=[dg.AssetKey(key) for key in referenced_tables(body)],
            group_name=layer,
            kinds={"duckdb", "sql"},
            pool=self.pool,
            code_version=_code_version(sql),
            description=description_of(sql, f"dbt_like_sql/{path.relative_to(root).as_posix()}"),
            metadata={"sql_file": f"dbt_like_sql/{path.relative_to(root).as_posix()}"},
        )
        def _asset(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
            with warehouse.connect() as conn:
                conn.execute("begin transaction")
                try:
                    conn.execute(f"create schema if not exists {layer}")
                    if kind == "incremental_by_report":
                        extra = build_incremental(conn, layer, name, body, version).as_metadata()
                    else:
                        replace_relation(conn, layer, name, kind, body)
                        extra = {}
                    conn.execute("commit")
                except Exception:
                    conn.execute("rollback")
                    raise
                metadata = duckdb_table_metadata(
                    conn, f"{layer}.{name}", warehouse.database, count_rows=kind != "view"
                )
            return dg.MaterializeResult(metadata={**metadata, **extra, "materialized": kind})

        return _asset
