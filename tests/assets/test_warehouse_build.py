"""The whole asset graph, materialised in process on the sample reports, against a temporary warehouse.

The raw folder holds the five sample reports of data/raw/ (some re-encoded) plus an empty file and a
binary file, which must land in `quarantine` while the good reports load, and a report whose
application table breaks identity A1, which must load with a warning. The graph runs twice to show
that re-running is idempotent. Every query reads the *published* file (read-only), which the run's
last step replaced atomically with the build file it wrote.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from assets.components.sql_models import STEP
from assets.definitions import defs
from assets.defs.automation import JOB_NAME
from assets.lib.batch_loading import BODY_KEYS, BOOKKEEPING, CURRENT_PARSER, MANIFEST
from assets.lib.incremental import MODEL_BODIES, MODEL_REPORTS
from assets.lib.model_files import read_models
from pipeline.batch_store import DATASETS
from tests.support.nightly_support import table_counts
from tests.support.warehouse_support import SAMPLE_FILES, SAMPLES, one, query

# Materializes the whole asset graph on a temporary warehouse.
pytestmark = pytest.mark.integration

MODELS = read_models()
SQL_MODELS = [m for m in MODELS if m.kind != "seed"]
FACTS = [m.name for m in MODELS if m.schema == "main" and m.name.startswith("fact_")]

HUAPING = "浈江区花坪镇"  # seed 000: 2019 template, 2024 report
KEJING = "克井镇人民政府"  # seed 002: 2021 template
WANDONG = "万东镇人民政府"  # seed 004: 2019 template
BROKEN = "浈江区测试镇"  # seed 000 renamed, with 5 new applications that never show up in the totals


def report_breaking_a1() -> str:
    """Seed 000, renamed, with 5 new applications from natural persons (total 5) that go nowhere."""
    lines = (SAMPLES / "2024_huaping-zhen_zhenjiang-qu.txt").read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if "本年新收" in line)
    cells = lines[row].split("|")  # label | natural_person | 5 organisation columns | total |
    cells[1] = cells[7] = " 5 "
    lines[row] = "|".join(cells)
    return "\n".join(lines).replace("花坪镇", "测试镇")


@dataclass
class Run:
    db: Path
    first: dg.ExecuteInProcessResult
    second: dg.ExecuteInProcessResult
    counts_first: dict[str, int]
    counts_second: dict[str, int]

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return query(self.db, sql, params)

    def one(self, sql: str, params: list | None = None):
        return one(self.db, sql, params)


def materialize_everything(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """What `make run` and the nightly run: `warehouse_job` (every asset but the on-demand spreadsheets)."""
    job = defs().resolve_job_def(JOB_NAME)
    return job.execute_in_process(instance=instance)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("warehouse")
    raw = root / "raw"
    raw.mkdir()
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, raw / name)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "corrupt.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (raw / "2024_ceshi-zhen.txt").write_text(report_breaking_a1(), encoding="utf-8")
    db = root / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAW_DIR", str(raw))
        mp.setenv("PARQUET_DIR", str(root / "parquet"))
        mp.setenv("WAREHOUSE_DB", str(db))
        mp.setenv("CHARTS_DIR", str(root / "charts"))
        with dg.DagsterInstance.ephemeral() as instance:
            first = materialize_everything(instance)
            counts_first = table_counts(db)
            second = materialize_everything(instance)
            counts_second = table_counts(db)
    return Run(db, first, second, counts_first, counts_second)


def test_both_runs_succeed(run):
    assert run.first.success and run.second.success


def test_each_run_ends_by_publishing_the_build_file(run):
    for result in (run.first, run.second):
        steps = [e.step_key for e in result.all_events if e.is_step_success]
        assert steps[-1] == "publish__warehouse"
    assert (run.db.parent / "build" / "warehouse.duckdb").exists()
    assert run.one("select count(*) from dim_report where is_current") == 6


def test_seed_000_penalties_and_procurement(run):
    assert (
        run.one(
            "select value from fact_penalties where organization = ? and item = 'penalty' and measure = 'decisions'",
            [HUAPING],
        )
        == 8
    )
    projects, amount, unit = run.one(
        "select procurement_projects, procurement_amount_yuan, amount_unit_written "
        "from marts.procurement_by_body_year where organization = ?",
        [HUAPING],
    )
    assert (projects, amount, unit) == (15, 1596496.16, "元")
    template, year = run.one("select template, report_year from dim_report where organization = ?", [HUAPING])
    assert (template, year) == ("2019", 2024)


def test_seed_002_penalties_and_fees_in_wan_yuan(run):
    assert run.one("select penalty_decisions from marts.penalties_by_body_year where organization = ?", [KEJING]) == 13
    value, unit, template = run.one(
        "select value, unit, template from fact_fees where organization = ? and measure = 'fee_amount_wan_yuan'",
        [KEJING],
    )
    assert (value, unit, template) == (194.3525, "万元", "2021")
    # 2021 money and 2019 fee-item counts never share a column
    assert run.one("select fee_items_prev_year from marts.fees_by_body_year where organization = ?", [KEJING]) is None


def test_seed_004_licensing(run):
    assert (
        run.one("select licensing_decisions from marts.licensing_by_body_year where organization = ?", [WANDONG]) == 3
    )


def test_dim_report_has_every_good_report_once(run):
    rows = run.query("select organization, encoding, template, source_file from dim_report order by source_file")
    assert len(rows) == 6
    assert {r[1] for r in rows} >= {"gb18030", "utf-16", "utf-8-sig", "utf-8"}
    assert run.one("select count(*) - count(distinct report_id) from dim_report") == 0


def test_fact_tables_carry_template_and_unit(run):
    for fact in FACTS:
        missing = run.one(f"select count(*) from {fact} where template is null or unit is null")
        assert missing == 0, fact
    assert run.one("select count(distinct template) from fact_applications") == 2


def test_quarantine_holds_the_bad_files_with_their_reason(run):
    rows = run.query("select path, code from quarantine order by path")
    assert rows == [("corrupt.txt", "binary_file"), ("empty.txt", "empty_file")]
    statuses = dict(run.query("select status, count(*) from file_manifest group by status"))
    assert statuses == {"parsed": 6, "quarantined": 2}
    assert run.query("select path, quarantine_code from file_manifest where status = 'quarantined' order by 1") == [
        ("corrupt.txt", "binary_file"),
        ("empty.txt", "empty_file"),
    ]


def test_identity_checks_are_reported_per_report_and_never_block(run):
    per_report = dict(run.query("select organization, a1_failed from marts.identity_checks_by_report"))
    assert len(per_report) == 6
    assert per_report[BROKEN] > 0 and per_report[HUAPING] == 0
    evaluations = {e.check_name: e for e in run.first.get_asset_check_evaluations()}
    identities = {f"identity_{i}" for i in ("A1", "A2", "A3", "R1", "R2", "R3")}
    assert identities <= set(evaluations)
    assert all(evaluations[name].severity == dg.AssetCheckSeverity.WARN for name in identities)
    assert not evaluations["identity_A1"].passed
    assert evaluations["identity_A1"].metadata["reports_failing"].value == 1
    assert evaluations["identity_R1"].passed
    # the breaking report still loaded, down to the marts
    assert (
        run.one(
            "select natural_person from marts.applications_by_report "
            "where organization = ? and outcome = 'new_received'",
            [BROKEN],
        )
        == 5
    )


def test_every_sql_model_is_built(run):
    for model in SQL_MODELS:
        table = f"{model.schema}.{model.name}"
        assert table in run.counts_first, table
        assert run.counts_first[table] > 0, table
    assert {"seeds.canonical_mapping", "seeds.application_rows"} <= set(run.counts_first)


def test_every_relation_has_exactly_one_file_in_dbt_like_sql(run):
    """Every table and view an analyst sees is one .sql file (or seed); the loaded schema holds what the load
    step copies in (the Parquet datasets and the models' inputs), and data_dictionary is the docs asset's."""
    relations = {f"{s}.{t}" for s, t in run.query(
        "select schema_name, table_name from duckdb_tables() union all "
        "select schema_name, view_name from duckdb_views() where not internal")}
    files = [f"{m.schema}.{m.name}" for m in MODELS]
    assert len(files) == len(set(files))  # one file per relation
    loaded = {f"loaded.{d}" for d in DATASETS} | {BOOKKEEPING, MANIFEST, CURRENT_PARSER, BODY_KEYS, MODEL_REPORTS,
                                                  MODEL_BODIES}
    assert relations - loaded - {"main.data_dictionary"} == set(files)
    assert {r for r in relations if r.startswith("loaded.")} == loaded


def test_rerunning_is_idempotent(run):
    assert run.counts_second == run.counts_first
    cells_in_parquet = run.one(
        "select count(*) from read_parquet(?)", [str(run.db.parent / "parquet" / "cells" / "*" / "*.parquet")]
    )
    facts = sum(run.counts_second[f"main.{fact}"] for fact in FACTS)
    assert facts == cells_in_parquet  # every parsed cell exactly once in one fact table
    duplicated = run.one(
        "select count(*) from (select report_id, outcome, applicant_type from fact_applications "
        "group by all having count(*) > 1)"
    )
    assert duplicated == 0


def test_every_asset_reports_row_count_schema_and_preview(run):
    for event in run.first.get_asset_materialization_events():
        metadata = event.materialization.metadata
        key = event.asset_key.to_user_string()
        assert {"dagster/column_schema", "preview"} <= set(metadata), key
        if metadata.get("materialized") != dg.TextMetadataValue("view"):
            assert "dagster/row_count" in metadata, key  # a view is not counted: that would compute it


def test_the_sql_models_run_as_one_step_reporting_each_model(run):
    for result in (run.first, run.second):
        steps = [e.step_key for e in result.all_events if e.is_step_success]
        assert steps.count(STEP) == 1
        events = [e for e in result.get_asset_materialization_events() if e.step_key == STEP]
        assert [tuple(e.asset_key.path) for e in events] == [m.key for m in MODELS]  # each once, in dependency order
        for model, event in zip(MODELS, events, strict=True):
            metadata = event.materialization.metadata
            assert metadata["materialized"].value == model.kind
            assert metadata["dagster/table_name"].value == f"warehouse.{model.relation}"
            schema = metadata["dagster/column_schema"].value
            assert [c.name for c in schema.columns] == [
                name for (name,) in run.query(
                    "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                    "order by column_index", [model.schema, model.name])
            ], model.file
            if model.kind != "view":
                count = metadata["dagster/row_count"].value
                assert count == run.counts_first[f"{model.schema}.{model.name}"], model.file


def test_facts_and_the_big_staging_models_are_views_and_the_marts_tables(run):
    views = {f"{s}.{v}" for s, v in run.query("select schema_name, view_name from duckdb_views() where not internal")}
    assert views == {f"{m.schema}.{m.name}" for m in MODELS if m.kind == "view"}
    assert {"main.fact_applications", "main.findings", "main.identity_checks", "staging.stg_applications",
            "staging.stg_disclosure"} <= views
    tables = {f"{s}.{t}" for s, t in run.query("select schema_name, table_name from duckdb_tables()")}
    assert {f"marts.{m.name}" for m in MODELS if m.schema == "marts"} <= tables
    # the views read the loaded batches: as many application cells as the loaded table holds for the
    # chosen parse of each report
    assert run.one("select count(*) from fact_applications") == run.one(
        "select count(*) from loaded.applications join dim_report using (report_id, batch_id)"
    ) > 0


def run_selected(root: Path, keys: list[str], published: Path | None = None) -> dg.ExecuteInProcessResult:
    """Materialize only `keys` against a warehouse in `root` (a copy of `published`, or none at all)."""
    db = root / "warehouse.duckdb"
    if published is not None:
        shutil.copy(published, db)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAW_DIR", str(root / "raw"))
        mp.setenv("PARQUET_DIR", str(root / "parquet"))
        mp.setenv("WAREHOUSE_DB", str(db))
        with dg.DagsterInstance.ephemeral() as instance:
            job = defs().resolve_implicit_global_asset_job_def()
            return job.execute_in_process(
                instance=instance,
                asset_selection=[dg.AssetKey.from_user_string(k) for k in keys],
                raise_on_error=False,
            )


def materialized_keys(result: dg.ExecuteInProcessResult) -> list[str]:
    return [e.asset_key.to_user_string() for e in result.get_asset_materialization_events()]


def test_one_selected_mart_is_built_alone_from_what_the_warehouse_has(run, tmp_path):
    result = run_selected(tmp_path, ["marts/applications_by_year"], published=run.db)
    assert result.success
    assert materialized_keys(result) == ["marts/applications_by_year"]
    assert [e.step_key for e in result.all_events if e.is_step_success] == [STEP]
    assert result.get_asset_check_evaluations() == []
    rebuilt = one(tmp_path / "build" / "warehouse.duckdb", "select count(*) from marts.applications_by_year")
    assert rebuilt == run.counts_first["marts.applications_by_year"]


def test_a_selected_subset_is_built_in_dependency_order_with_its_checks(run, tmp_path):
    selection = ["marts/applications_series_by_year", "fact_applications", "staging/stg_canonical_values",
                 "marts/applications_by_body_year"]
    result = run_selected(tmp_path, selection, published=run.db)
    assert result.success
    built = materialized_keys(result)
    assert sorted(built) == sorted(selection)
    order = [k for k in built if k != "fact_applications"]
    assert order == ["staging/stg_canonical_values", "marts/applications_by_body_year",
                     "marts/applications_series_by_year"]
    checks = {(e.asset_key.to_user_string(), e.check_name) for e in result.get_asset_check_evaluations()}
    assert checks == {("fact_applications", f"identity_{i}") for i in ("A1", "A2", "A3")}


def test_a_selected_model_whose_upstream_is_missing_fails_and_builds_nothing(tmp_path):
    result = run_selected(tmp_path, ["marts/applications_by_year"])
    assert not result.success
    assert materialized_keys(result) == []
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "marts.applications_by_year reads staging.stg_applications" in failure.event_specific_data.error.message
