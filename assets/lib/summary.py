"""`python -m assets.lib.summary`: the tables and views of the published warehouse, with row counts (`make run`)."""

from __future__ import annotations

import duckdb

from assets.lib.duckdb_ops import RELATIONS
from assets.lib.storage import default_resources


def main() -> None:
    database = default_resources()["warehouse"].published
    conn = duckdb.connect(database, read_only=True)
    try:
        relations = conn.execute(
            f"select schema_name, table_name, kind from {RELATIONS} "
            "order by schema_name <> 'main', schema_name, table_name"
        ).fetchall()
        print(f"\n{database}")
        for schema, table, kind in relations:
            name = table if schema == "main" else f"{schema}.{table}"
            rows = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
            print(f"  {name:<40} {rows:>10,} rows{' (view)' if kind == 'view' else ''}")
    finally:
        conn.close()


if __name__ == "__main__":
    main()
