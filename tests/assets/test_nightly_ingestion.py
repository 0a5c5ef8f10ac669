"""Night after night on one warehouse: incremental runs, report keys and versions, quarantine (issue 4,
points 1–3). Real Dagster runs in process, a real DuckDB file, read back read-only from the published file.

Night 1: the five samples, an empty file, a binary file, and a copy of one sample under an odd name.
Night 2: nothing changed: nothing is read or parsed again, and the warehouse is the same.
Night 3: a corrected re-publication of 花坪镇's 2024 report (penalties 8 → 9, dated), an undated
         correction of 克井镇's (13 → 14, under the short name 克井镇: same body), a valid report written
         over the empty file, and 万东镇's file deleted.
Night 4: 万东镇's file is back (same bytes): it is current again without being parsed again.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

import dagster as dg
import pytest

from tests.support import PROJECT
from tests.support.nightly_support import SAMPLES, Warehouse, asset_metadata

# Runs the asset graph night after night on a temporary warehouse.
pytestmark = pytest.mark.integration

HUAPING = "浈江区花坪镇"
KEJING = "克井镇人民政府"
WANDONG = "万东镇人民政府"
FIXED = "浈江区修复镇"
KEJING_FILE = "2024_kejing-zhen.utf16.txt"
KEJING_COPY = "copies/克井镇 2024 'copy' \"2\".txt"
WANDONG_FILE = "2019_wandong-zhen.utf8-bom.txt"
HUAPING_FILE = "2024_huaping-zhen_zhenjiang-qu.txt"
CORRECTED_FILE = "2024_huaping-zhen_corrected.txt"
KEJING_CORRECTED = "2024_kejing-zhen_v2.txt"


def huaping_text() -> str:
    return (SAMPLES / HUAPING_FILE).read_text(encoding="utf-8")


def corrected_kejing() -> bytes:
    """Undated like the original, so the version that was seen later wins."""
    text = (SAMPLES / KEJING_FILE).read_text(encoding="utf-16")
    text = text.replace("行政处罚\t13\t", "行政处罚\t14\t").replace(KEJING, "克井镇")
    assert "行政处罚\t14\t" in text
    return text.encode("utf-8")


def corrected_huaping() -> bytes:
    text = huaping_text().replace("行政处罚  | 0  | 8  | 8", "行政处罚  | 0  | 9  | 9")
    assert text != huaping_text()
    return (text + "\n浈江区花坪镇人民政府\n2025年3月1日\n").encode("utf-8")


# What each night's published warehouse says about 万东镇 (its file is deleted on night 3).
WANDONG_QUERIES = {
    "report": "select status, is_current, deleted_at is not null, source_file from dim_report where organization = ?",
    "files": "select path, status, deleted_at is not null from file_manifest where path = ?",
    "facts": "select count(*) from fact_penalties where organization = ?",
    "marts": "select count(*) from marts.penalties_by_body_year where organization = ?",
}


@dataclass
class Night:
    result: dg.ExecuteInProcessResult
    counts: dict[str, int]
    wandong: dict[str, list[tuple]]

    def meta(self, key: str) -> dict:
        return asset_metadata(self.result, key)


@pytest.fixture(scope="module")
def nights(tmp_path_factory) -> tuple[Warehouse, list[Night]]:
    wh = Warehouse(tmp_path_factory.mktemp("nightly"))
    wh.land_samples()
    (wh.raw / "empty.txt").write_bytes(b"")
    (wh.raw / "corrupt.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (wh.raw / "copies").mkdir()
    shutil.copy(SAMPLES / KEJING_FILE, wh.raw / KEJING_COPY)
    nights = []

    def night():
        result = wh.run()
        assert result.success
        wandong = {
            name: wh.query(sql, [WANDONG_FILE if name == "files" else WANDONG]) for name, sql in WANDONG_QUERIES.items()
        }
        nights.append(Night(result, wh.counts(), wandong))

    night()  # 1
    night()  # 2: nothing changed
    (wh.raw / CORRECTED_FILE).write_bytes(corrected_huaping())
    (wh.raw / KEJING_CORRECTED).write_bytes(corrected_kejing())
    (wh.raw / "empty.txt").write_text(huaping_text().replace("花坪镇", "修复镇"), encoding="utf-8")
    (wh.raw / WANDONG_FILE).unlink()
    night()  # 3
    shutil.copy(SAMPLES / WANDONG_FILE, wh.raw / WANDONG_FILE)
    night()  # 4
    return wh, nights


def test_every_night_succeeds_and_publishes(nights):
    wh, ran = nights
    assert len(ran) == 4
    assert wh.published.exists() and wh.build.exists()
    assert all(n.meta("publish/warehouse")["dagster/row_count"] == n.counts["main.dim_report"] for n in ran)


def test_a_night_without_new_files_reads_and_parses_nothing(nights):
    _, (first, second, *_) = nights
    assert first.meta("raw/report_files")["hashed_files"] == 8
    assert first.meta("parsed/reports")["parsed_files"] == 7  # 8 files, 7 distinct contents
    assert second.meta("raw/report_files")["hashed_files"] == 0
    assert second.meta("parsed/reports")["parsed_files"] == 0
    assert second.meta("parsed/reports")["already_parsed"] == 7
    assert second.counts == first.counts


def test_new_files_cost_only_themselves(nights):
    _, (_, _, third, fourth) = nights
    assert third.meta("raw/report_files")["hashed_files"] == 3  # two corrections and the fixed file
    assert third.meta("parsed/reports")["parsed_files"] == 3
    # the DuckDB load reads the one new batch, not the warehouse again
    assert (third.meta("loaded/batches")["inserted_batches"], third.meta("loaded/batches")["deleted_batches"]) == (1, 0)
    # a deleted file that comes back is known content: neither parsed nor stored again
    assert fourth.meta("raw/report_files")["hashed_files"] == 1
    assert fourth.meta("parsed/reports")["parsed_files"] == 0
    assert fourth.meta("loaded/batches")["rows_inserted"] == 0


def test_the_per_report_mart_recomputes_only_the_changed_reports_and_equals_a_full_build(nights):
    wh, (first, second, third, fourth) = nights
    modes = [(n.meta("marts/applications_by_report")["mode"], n.meta("marts/applications_by_report")
              ["reports_recomputed"]) for n in (first, second, third, fourth)]
    reports = first.counts["main.dim_report"]
    assert modes == [("full", reports), ("incremental", 0), ("incremental", 3), ("incremental", 0)]
    body = (PROJECT / "dbt_like_sql" / "marts" / "applications_by_report.sql").read_text(encoding="utf-8")
    mart = "marts.applications_by_report"
    assert wh.one(f"select count(*) from ({body}) as fresh") == wh.one(f"select count(*) from {mart}") > 0
    assert wh.one(f"select count(*) from (select * from ({body}) except all select * from {mart})") == 0
    assert wh.one(f"select count(*) from (select * from {mart} except all select * from ({body}))") == 0


def test_same_bytes_under_two_names_are_one_report_with_both_paths(nights):
    wh, _ = nights
    report_id, n_paths, source = wh.one(
        "select report_id, n_paths, source_file from dim_report where organization = ?", [KEJING]
    )
    assert n_paths == 2 and source == KEJING_FILE  # the first path in sort order
    paths = wh.query("select path, status from file_manifest where sha256 = ? order by path", [report_id])
    assert paths == [(KEJING_FILE, "parsed"), (KEJING_COPY, "parsed")]
    assert wh.one("select count(*) from fact_penalties where organization = ? and measure = 'decisions' "
                  "and item = 'penalty'", [KEJING]) == 1


def test_a_corrected_republication_replaces_the_old_one_in_the_marts(nights):
    wh, _ = nights
    versions = wh.query(
        "select version, is_current, status, published_on is not null, source_file, report_id, superseded_by "
        "from dim_report where organization = ? order by version",
        [HUAPING],
    )
    (v1, old_current, old_status, _, old_file, old_id, old_by), (v2, new_current, new_status, dated, new_file,
                                                                  new_id, new_by) = versions
    assert (v1, old_current, old_status, old_file) == (1, False, "superseded", HUAPING_FILE)
    assert (v2, new_current, new_status, new_file, dated) == (2, True, "current", CORRECTED_FILE, True)
    assert old_by == new_id and new_by is None
    assert wh.one("select distinct body_key from dim_report where organization = ?", [HUAPING]) == HUAPING
    # the marts count the new version only
    assert wh.query("select penalty_decisions from marts.penalties_by_body_year where organization = ?",
                    [HUAPING]) == [(9,)]
    # the old version stays queryable
    history = wh.query(
        "select report_id, value, is_current from fact_penalties where organization = ? and item = 'penalty' "
        "and measure = 'decisions' order by value",
        [HUAPING],
    )
    assert history == [(old_id, 8, False), (new_id, 9, True)]


def test_an_undated_correction_under_a_name_variant_wins_by_first_seen(nights):
    wh, _ = nights
    rows = wh.query(
        "select organization, body_key, version, status, published_on from dim_report "
        "where body_key = (select body_key from dim_report where organization = ?) order by version",
        [KEJING],
    )
    assert rows == [(KEJING, "克井镇", 1, "superseded", None), ("克井镇", "克井镇", 2, "current", None)]
    marts = wh.query("select organization, penalty_decisions from marts.penalties_by_body_year "
                     "where organization in (?, '克井镇')", [KEJING])
    assert marts == [("克井镇", 14)]  # one body, one year, one report in the marts


def test_a_deleted_file_is_marked_not_dropped(nights):
    _, (first, _, third, fourth) = nights
    assert first.wandong["report"] == [("current", True, False, WANDONG_FILE)]
    facts = first.wandong["facts"][0][0]
    assert facts > 0 and first.wandong["marts"] == [(1,)]
    # night 3: the file is gone; the report stays in the history, marked, and leaves the marts
    assert third.wandong["report"] == [("deleted", False, True, WANDONG_FILE)]
    assert third.wandong["files"] == [(WANDONG_FILE, "deleted", True)]
    assert third.wandong["facts"] == [(facts,)]
    assert third.wandong["marts"] == [(0,)]
    assert third.counts["main.dim_report"] == first.counts["main.dim_report"] + 3  # nothing lost, three new
    # night 4: the same bytes are back: current again, one report, the manifest's history shows both stays
    assert fourth.wandong["report"] == [("current", True, False, WANDONG_FILE)]
    assert fourth.wandong["files"] == [(WANDONG_FILE, "parsed", False)]
    assert fourth.wandong["marts"] == [(1,)]


def test_quarantine_reflects_the_files_there_now_and_keeps_its_history(nights):
    wh, (first, *_) = nights
    first_quarantine = first.meta("quarantine")["dagster/row_count"]
    assert first_quarantine == 2  # empty.txt and corrupt.txt on night 1
    assert wh.query("select path, code from quarantine") == [("corrupt.txt", "binary_file")]
    reason = wh.one("select reason from quarantine where path = 'corrupt.txt'")
    assert reason.strip()  # a specific reason, not just a code
    history = wh.query(
        "select status, quarantine_code, deleted_at is not null from file_manifest where path = 'empty.txt' "
        "order by first_seen"
    )
    assert history == [("replaced", "empty_file", True), ("parsed", None, False)]
    assert wh.one("select is_current from dim_report where organization = ?", [FIXED]) is True


def test_an_emptied_raw_directory_is_refused_not_recorded_as_mass_deletion(nights):
    """An unmounted disk looks like an empty folder: the scan fails and the manifest is left alone."""
    wh, _ = nights
    manifest = (wh.parquet / "manifest.parquet").read_bytes()
    saved = wh.raw.rename(wh.root / "raw-unmounted")
    wh.raw.mkdir()
    try:
        result = wh.run(selection=["raw/report_files"])
        assert not result.success
        assert (wh.parquet / "manifest.parquet").read_bytes() == manifest
    finally:
        wh.raw.rmdir()
        saved.rename(wh.raw)
