"""Project-local Dagster components (registered through `[tool.dg.project] registry_modules`)."""
