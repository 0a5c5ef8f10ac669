"""The seed CSVs of dbt_like_sql/seeds/ are what pipeline/seed_files.py generates from their declarations."""

from __future__ import annotations

import csv
import io

import pytest

from pipeline import seed_files
from pipeline.templates import APPLICATION_ROWS


@pytest.mark.parametrize("name", sorted(seed_files.SEEDS))
def test_committed_seed_matches_its_declaration(name):
    committed = (seed_files.SEEDS_DIR / name).read_bytes()  # bytes: line ends count too
    assert committed == seed_files.SEEDS[name]().encode(), "run: .venv/bin/python -m pipeline.seed_files"


def test_every_seed_file_is_generated():
    assert {p.name for p in seed_files.SEEDS_DIR.glob("*.csv")} == set(seed_files.SEEDS)


def test_application_rows_roll_up_into_2019_rows():
    rows = list(csv.DictReader(io.StringIO(seed_files.application_rows())))
    for template, app_rows in APPLICATION_ROWS.items():
        mine = [r for r in rows if r["template"] == template]
        assert [r["row_key"] for r in mine] == [row.key for row in app_rows]
        assert [int(r["row_order"]) for r in mine] == list(range(1, len(app_rows) + 1))
    keys_2019 = {row.key for row in APPLICATION_ROWS["2019"]}
    groups = {"denied", "unable", "not_processed"}
    assert {r["outcome_group"] for r in rows} <= keys_2019 | groups


def test_help_writes_nothing(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(seed_files, "SEEDS_DIR", tmp_path / "seeds")
    with pytest.raises(SystemExit) as exit_:
        seed_files.main(["--help"])
    assert exit_.value.code == 0 and "seed" in capsys.readouterr().out
    assert not (tmp_path / "seeds").exists()


def test_main_writes_every_seed(monkeypatch, tmp_path):
    monkeypatch.setattr(seed_files, "SEEDS_DIR", tmp_path / "seeds")
    assert seed_files.main([]) == 0
    for name, generate in seed_files.SEEDS.items():
        assert (tmp_path / "seeds" / name).read_text(encoding="utf-8") == generate()
