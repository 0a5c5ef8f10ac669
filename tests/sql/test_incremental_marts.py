"""The incremental marts (by report and by body) equal a full build, night after night, on a real warehouse.

Real Dagster runs in process on the fictional bodies' reports (青岚县云溪镇 and 青岚县白鹭街道办事处, 2019–2025), a
real DuckDB file read back from the published file.

Night 1: every fictional report but 云溪镇 2025: every incremental model is built in full.
Night 2: 云溪镇 2025 lands (a new year: a new primary report) and a corrected re-publication of 白鹭街道 2022
         (70 → 71 new applications, published later: it replaces the original as the primary report).
Night 3: nothing new, but 白鹭街道 2021's file is deleted (its year loses its primary report).
Night 4: nothing changed at all.

After every night each incremental model holds exactly the rows its SQL computes on the warehouse from scratch
(`except all` both ways), and it recomputed only the bodies (reports) that changed.
"""

from __future__ import annotations

import shutil

import pytest

from assets.lib.incremental import BY_BODY, KINDS
from assets.lib.model_files import read_models
from tests.support import PROJECT
from tests.support.nightly_support import Warehouse, asset_metadata

# Runs the asset graph night after night on a temporary warehouse.
pytestmark = pytest.mark.integration

RAW = PROJECT / "data" / "raw"
YUNXI = "青岚县云溪镇"
BAILU = "青岚县白鹭街道办事处"
YUNXI_2025 = "fictional_2025_yunxi-zhen.txt"
BAILU_2021 = "fictional_2021_bailu-jiedao.txt"
BAILU_2022 = "fictional_2022_bailu-jiedao.txt"
NEW_RECEIVED = "| 一、本年新收政府信息公开申请数量 | 52 | 9 | 2 | 2 | 3 | 2 | 70 |"

MODELS = read_models()
INCREMENTAL = [m for m in MODELS if m.kind in KINDS]
BY_BODY_MODELS = [m for m in INCREMENTAL if m.kind == BY_BODY]
# everything the marts need, and the publish step (the tests read the published file); no chart, no spreadsheets
SELECTION = ("raw/report_files", "parsed/*", "loaded/*", "seeds/*",
             *("/".join(m.key) for m in MODELS if m.kind != "seed"), "publish/warehouse")


def corrected_bailu_2022() -> str:
    text = (RAW / BAILU_2022).read_text(encoding="utf-8")
    assert NEW_RECEIVED in text and "2023年1月18日" in text
    return text.replace(NEW_RECEIVED, NEW_RECEIVED.replace("| 52 |", "| 53 |").replace("| 70 |", "| 71 |")).replace(
        "2023年1月18日", "2023年2月20日")


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> tuple[Warehouse, list[dict]]:
    wh = Warehouse(tmp_path_factory.mktemp("incremental"))
    wh.raw.mkdir(parents=True)
    for path in sorted(RAW.glob("fictional_*.txt")):
        if path.name != YUNXI_2025:
            shutil.copy(path, wh.raw / path.name)
    results = []

    def night() -> None:
        result = wh.run(selection=SELECTION)
        assert result.success
        results.append({"/".join(m.key): asset_metadata(result, "/".join(m.key)) for m in INCREMENTAL})

    night()  # 1
    shutil.copy(RAW / YUNXI_2025, wh.raw / YUNXI_2025)
    (wh.raw / "fictional_2022_bailu-jiedao_corrected.txt").write_text(corrected_bailu_2022(), encoding="utf-8")
    night()  # 2
    (wh.raw / BAILU_2021).unlink()
    night()  # 3
    night()  # 4
    return wh, results


def same_as_a_full_build(wh: Warehouse) -> dict[str, tuple[int, int, int]]:
    """Per incremental model: (rows, rows only in the model, rows only in its SQL computed from scratch)."""
    differences = {}
    for model in INCREMENTAL:
        fresh = f"({model.select})"
        differences[model.relation] = (
            wh.one(f"select count(*) from {model.relation}"),
            wh.one(f"select count(*) from (select * from {model.relation} except all select * from {fresh})"),
            wh.one(f"select count(*) from (select * from {fresh} except all select * from {model.relation})"),
        )
    return differences


def test_the_marts_are_incremental_models():
    assert {m.relation for m in BY_BODY_MODELS} == {
        "marts.applications_by_body_year", "marts.continuity_checks", "marts.format_comparison_by_body",
        "marts.indicators_by_body_year", "marts.yoy_by_body_measure"}


def test_every_night_recomputes_only_the_bodies_that_changed(nights):
    _, (first, second, third, fourth) = nights
    for model in BY_BODY_MODELS:
        key = "/".join(model.key)
        modes = [(night[key]["mode"], night[key]["bodies_recomputed"]) for night in (first, second, third, fourth)]
        # night 2: 云溪镇 (a new year) and 白鹭街道 (a new primary report); night 3: 白鹭街道 (a year lost)
        assert modes == [("full", 2), ("incremental", 2), ("incremental", 1), ("incremental", 0)], key


def test_the_per_report_marts_recompute_only_the_new_and_deleted_reports(nights):
    _, (first, second, third, fourth) = nights
    key = "marts/applications_by_report"
    modes = [(n[key]["mode"], n[key]["reports_recomputed"]) for n in (first, second, third, fourth)]
    # night 2: the two new reports (the report the correction supersedes keeps its rows); night 3: none is new,
    # the deleted report stays in dim_report (status deleted)
    assert modes == [("full", 12), ("incremental", 2), ("incremental", 0), ("incremental", 0)]


def test_after_every_night_each_incremental_model_equals_its_sql_from_scratch(nights):
    wh, _ = nights
    differences = same_as_a_full_build(wh)
    assert all(rows > 0 for rows, _, _ in differences.values()), differences
    assert {relation: extra for relation, (_, *extra) in differences.items()} == {
        relation: [0, 0] for relation in differences}


def test_the_incremental_marts_carry_the_new_and_corrected_values(nights):
    wh, _ = nights
    # the correction replaced the original: 71 new applications in 白鹭街道's 2022, in every mart that counts them
    assert wh.one("select total from marts.applications_by_body_year where body_key = ? and report_year = 2022 "
                  "and outcome = 'new_received'", [BAILU]) == 71
    value, previous_year, previous_value, delta = wh.one(
        "select value, previous_year, previous_value, delta from marts.yoy_by_body_measure where body_key = ? "
        "and report_year = 2023 and canonical_key = 'applications.new_received.total'", [BAILU])
    assert (previous_year, previous_value, delta) == (2022, 71, value - 71)
    # 白鹭街道 2021 is gone: its 2022 has no previous year, and the continuity checks cannot evaluate it
    assert wh.one("select previous_year from marts.yoy_by_body_measure where body_key = ? and report_year = 2022 "
                  "and canonical_key = 'applications.new_received.total'", [BAILU]) is None
    assert {s for (s,) in wh.query("select distinct note from marts.continuity_checks where body_key = ? "
                                   "and report_year = 2022", [BAILU])} == {"no report for the previous year"}
    assert wh.query("select count(*) from marts.indicators_by_body_year where body_key = ? and report_year = 2021",
                    [BAILU]) == [(0,)]
    # 云溪镇 2025 arrived: compared with its 2024
    assert wh.one("select previous_year from marts.yoy_by_body_measure where body_key = ? and report_year = 2025 "
                  "and canonical_key = 'applications.new_received.total'", [YUNXI]) == 2024
    assert wh.one("select count(*) from marts.indicators_by_body_year where body_key = ?", [YUNXI]) == 7
