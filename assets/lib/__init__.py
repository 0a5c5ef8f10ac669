"""Plain helpers behind the Dagster definitions: resources, the raw manifest, batch parsing, DuckDB tables."""
