"""The Dagster project (the `dg` root module): definitions in `defs/`, helpers in `lib/`."""
