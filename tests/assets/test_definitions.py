"""The Dagster definitions load, and the asset graph has the expected keys, groups and lineage."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from assets.components.sql_models import STEP
from assets.definitions import defs
from assets.lib.incremental import parse_changes_with
from assets.lib.model_files import description_of, directives, materialization_of, read_models, referenced_tables
from pipeline.batch_store import DATASETS
from pipeline.export import CELL_TABLES
from tests.support import PROJECT

FACTS = [
    "fact_applications",
    "fact_penalties",
    "fact_licensing",
    "fact_fees",
    "fact_procurement",
    "fact_regulations",
    "fact_review_litigation",
]


def asset_graph() -> dict[dg.AssetKey, dg.AssetSpec]:
    return {spec.key: spec for spec in defs().resolve_all_asset_specs()}


def keys_in(group: str) -> set[str]:
    return {k.to_user_string() for k, s in asset_graph().items() if s.group_name == group}


def deps_of(key: str) -> set[str]:
    spec = asset_graph()[dg.AssetKey.from_user_string(key)]
    return {d.asset_key.to_user_string() for d in spec.deps}


@pytest.mark.integration
def test_definitions_load():
    dg.Definitions.validate_loadable(defs())


@pytest.mark.integration
def test_the_nightly_job_resolves_without_a_deprecation_warning():
    """A resource with no fields made Dagster read pydantic's deprecated `__fields__` at every load."""
    import warnings

    from assets.defs.automation import JOB_NAME

    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        job = defs().resolve_job_def(JOB_NAME)
    assert "chart_renderer" in job.resource_defs


@pytest.mark.integration
def test_layers_and_keys():
    assert keys_in("raw") == {"raw/report_files"}
    assert keys_in("parsed") == {
        "parsed/reports",
        "parsed/findings",
        "parsed/identity_checks",
        "parsed/quarantine",
        *(f"parsed/{t}" for t in CELL_TABLES),
    }
    assert keys_in("warehouse") == {
        "dim_report",
        "findings",
        "identity_checks",
        "quarantine",
        "file_manifest",
        "report_cells",
        "report_problems",
        *FACTS,
    }
    assert keys_in("bodies") == {"dim_body_name"}
    assert keys_in("loaded") == {
        "loaded/batches",
        "loaded/manifest",
        "loaded/current_parser",
        "loaded/body_keys",
        *(f"loaded/{d}" for d in DATASETS),
    }
    assert keys_in("seeds") == {"seeds/canonical_mapping", "seeds/application_rows"}
    layered = {f"{p.parent.name}/{p.stem}" for p in PROJECT.glob("dbt_like_sql/*/*.sql")
               if p.parent.name in ("staging", "marts")}
    assert keys_in("staging") | keys_in("marts") == layered
    core = {p.stem for p in PROJECT.glob("dbt_like_sql/*/*.sql") if p.parent.name in ("warehouse", "bodies")}
    assert keys_in("warehouse") | keys_in("bodies") == core


@pytest.mark.integration
def test_lineage_from_raw_files_to_marts():
    assert deps_of("parsed/applications") == {"raw/report_files"}
    assert deps_of("loaded/art20_6") == {"parsed/art20_6"}
    assert deps_of("loaded/checks") == {"parsed/identity_checks"}
    assert deps_of("fact_penalties") == {"report_cells"}
    assert {"loaded/art20_6", "dim_report", "seeds/canonical_mapping"} <= deps_of("report_cells")
    assert deps_of("dim_report") == {"loaded/manifest", "loaded/reports", "loaded/current_parser", "loaded/body_keys"}
    assert deps_of("loaded/manifest") == {"raw/report_files"}
    assert deps_of("loaded/body_keys") == {"loaded/reports"}
    assert deps_of("dim_body_name") == {"dim_report", "loaded/body_keys"}
    assert deps_of("staging/stg_body_reports") == {"dim_body_name", "staging/stg_reports"}
    assert deps_of("staging/stg_applications") == {"fact_applications", "staging/stg_reports"}
    assert deps_of("marts/penalties_by_body_year") == {"staging/stg_disclosure"}
    # incremental by body: a body whose primary reports changed (stg_body_reports) is recomputed
    assert deps_of("marts/yoy_by_body_measure") == {"staging/stg_canonical_values", "staging/stg_canonical_measures",
                                                    "staging/stg_body_reports"}
    assert deps_of("marts/identity_checks_by_report") == {"dim_report", "identity_checks"}


@pytest.mark.integration
def test_sql_model_deps_come_from_the_sql():
    graph = asset_graph()
    models = [m for m in read_models() if m.kind != "seed"]
    assert len(models) == len(list(PROJECT.glob("dbt_like_sql/*/*.sql")))
    for model in models:
        key = dg.AssetKey(list(model.key))
        expected = {dg.AssetKey(k) for k in referenced_tables(model.select)}
        if model.identities:
            expected.add(dg.AssetKey("identity_checks"))  # the checks read it
        if model.changes_with:  # an incremental model also reads the relation its changes are found in
            relation = parse_changes_with(model.changes_with)[0].removeprefix("main.")
            expected.add(dg.AssetKey(relation.split(".")))
        assert {d.asset_key for d in graph[key].deps} == expected, key
        assert all(dep in graph for dep in expected), f"{key} reads a table no asset builds"


@pytest.mark.integration
def test_every_sql_model_and_seed_is_one_subsettable_step():
    defs_ = defs()
    models = read_models()
    keys = {dg.AssetKey(list(m.key)) for m in models}
    (step,) = [a for a in defs_.resolve_asset_graph().assets_defs if a.keys & keys]
    assert step.node_def.name == STEP
    assert step.keys == keys
    assert step.can_subset
    assert step.node_def.pool == "duckdb_write"
    order = [m.key for m in models]
    for model in models:  # read_models gives the order the step builds them in: each after what it reads
        assert all(order.index(dep) < order.index(model.key) for dep in model.deps if dep in order), model.file


@pytest.mark.integration
def test_no_dependency_on_a_missing_asset():
    stubs = [k for k, s in asset_graph().items() if s.metadata.get("dagster/auto_created_stub_asset")]
    assert stubs == []


@pytest.mark.integration
def test_every_asset_has_a_description_and_kinds():
    for key, spec in asset_graph().items():
        assert spec.description, key
        assert spec.kinds, key


@pytest.mark.integration
def test_the_quality_rules_are_checks_on_the_tables_they_concern():
    """Identities on the facts; keys, one current report per body and year, empty reports, reports per
    year and new refusals on the tables they concern; none blocks (the publish step enforces the keys)."""
    graph = defs().resolve_asset_graph()
    specs = [graph.get_check_spec(key) for key in graph.asset_check_keys]
    assert {(c.asset_key.to_user_string(), c.name) for c in specs} == {
        *(("fact_applications", f"identity_{i}") for i in ("A1", "A2", "A3")),
        *(("fact_review_litigation", f"identity_{i}") for i in ("R1", "R2", "R3")),
        *(("dim_report", name) for name in ("unique_key", "one_current_report_per_body_year",
                                             "reports_have_cells", "reports_per_year")),
        ("file_manifest", "unique_key"),
        ("quarantine", "unique_key"),
        ("quarantine", "no_new_refusals"),
    }
    assert not any(c.blocking for c in specs)


@pytest.mark.integration
def test_dg_check_defs(tmp_path):
    dg_cli = Path(sys.executable).parent / "dg"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(dg_cli), "check", "defs"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.integration
def test_instance_config_is_valid(tmp_path, monkeypatch):
    shutil.copy(PROJECT / "config" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        pools = instance.get_concurrency_config().pool_config
        assert pools.default_pool_limit == 1


def test_a_sql_model_is_a_table_unless_its_header_says_view():
    assert materialization_of("-- Cells.\n-- materialized: view\nselect 1") == "view"
    assert materialization_of("-- Cells.\nselect 1\n-- materialized: view") == "table"  # not in the header
    assert materialization_of("select 1") == "table"
    assert description_of("-- materialized: view\n-- Cells of all tables.\nselect 1", "x") == "Cells of all tables."


def test_header_directives_say_the_unique_key_and_the_identities():
    sql = "-- materialized: view\n-- unique: report_id, measure\n-- identities: R1, R2\n-- Facts.\nselect 1"
    assert directives(sql) == {"materialized": "view", "unique": "report_id, measure", "identities": "R1, R2"}
    assert description_of(sql, "x") == "Facts."
    facts = {m.name: m for m in read_models() if m.name in FACTS}
    assert facts["fact_applications"].identities == ("A1", "A2", "A3")
    assert facts["fact_review_litigation"].identities == ("R1", "R2", "R3")
    assert facts["fact_fees"].unique == ("report_id", "item", "measure")


def test_the_sql_files_have_no_python_placeholders():
    for path in PROJECT.glob("dbt_like_sql/*/*.sql"):
        text = path.read_text(encoding="utf-8")
        assert re.search(r"\{\w+\}", text) is None, path  # plain DuckDB SQL: nothing is filled in by Python


def test_a_qualified_table_is_a_dependency_even_when_a_cte_has_its_name():
    sql = "with reports as (select * from loaded.reports) select * from reports join dim_report using (report_id)"
    assert referenced_tables(sql) == [["dim_report"], ["loaded", "reports"]]


def test_the_tables_a_model_reads_are_cached_by_its_sql(tmp_path, monkeypatch):
    """`tables_read` answers what sqlglot answers, from a file beside the environment once it has parsed the SQL
    (a run no longer imports sqlglot and parses every model); another SQL text is parsed again."""
    from assets.lib import model_files

    monkeypatch.setattr(model_files, "TABLES_CACHE", tmp_path / "share" / "referenced-tables.json")
    model_files._known_tables.cache_clear()
    models = [m for m in read_models() if m.kind != "seed"]
    parsed = {m.name: model_files.tables_read(m.select) for m in models}
    assert parsed == {m.name: referenced_tables(m.select) for m in models}
    assert model_files.TABLES_CACHE.exists()

    def no_parse(sql: str) -> list[list[str]]:
        raise AssertionError("parsed again")

    model_files._known_tables.cache_clear()  # as a new process: the answers come from the file
    monkeypatch.setattr(model_files, "referenced_tables", no_parse)
    assert {m.name: model_files.tables_read(m.select) for m in models} == parsed
    with pytest.raises(AssertionError, match="parsed again"):
        model_files.tables_read("select * from dim_report -- another text")
    model_files._known_tables.cache_clear()
