"""The code location: everything under `assets/defs/` is discovered and loaded (`dg dev`, `dg launch`)."""

from pathlib import Path

import dagster as dg


@dg.definitions
def defs() -> dg.Definitions:
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)
