"""`python -m assets.lib.summary`: the tables of the published warehouse and their row counts (run by `make run`)."""

from __future__ import annotations

import duckdb

from assets.lib.resources import default_resources


def main() -> None:
    database = default_resources()["warehouse"].published
    conn = duckdb.connect(database, read_only=True)
    try:
        tables = conn.execute(
            "select schema_name, table_name from duckdb_tables() "
            "order by schema_name <> 'main', schema_name, table_name"
        ).fetchall()
        print(f"\n{database}")
        for schema, table in tables:
            name = table if schema == "main" else f"{schema}.{table}"
            rows = conn.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
            print(f"  {name:<40} {rows:>10,} rows")
    finally:
        conn.close()


if __name__ == "__main__":
    main()
