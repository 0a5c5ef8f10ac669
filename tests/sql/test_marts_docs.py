"""The analyst experience of the built warehouse: every table and column commented (Chinese label + meaning) from
dbt_like_sql/docs/columns.csv, the `data_dictionary` table, the docs asset's place in the graph, the body
dimension asset, and the chart asset's files and UI metadata."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from assets.defs.charts import NAME
from assets.defs.docs import DICTIONARY, SIDE_TABLES, asset_key_of, documented_tables, load_docs
from assets.lib.duckdb_ops import RELATIONS
from tests.support import analyst_warehouse as aw

# Builds the analyst warehouse through Dagster (tests/support/analyst_warehouse.py).
pytestmark = pytest.mark.integration

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def wh(tmp_path_factory) -> aw.Warehouse:
    return aw.built(tmp_path_factory)


def warehouse_tables(wh) -> set[str]:
    return {
        f"{s}.{t}"
        for s, t in wh.query(
            f"select schema_name, table_name from {RELATIONS} where database_name = current_database()"
        )
    }


def test_every_table_has_a_comment(wh):
    missing = wh.query(
        f"select schema_name || '.' || table_name from {RELATIONS} "
        "where database_name = current_database() and coalesce(trim(comment), '') = ''"
    )
    assert missing == []


def test_every_column_has_a_comment_with_a_chinese_label(wh):
    columns = wh.query(
        f"""
        select c.schema_name || '.' || c.table_name, c.column_name, c.comment
        from duckdb_columns() as c
        join {RELATIONS} as t using (database_name, schema_name, table_name)
        where c.database_name = current_database()
        """
    )
    assert len(columns) > 400
    missing = [(t, c) for t, c, comment in columns if not (comment or "").strip()]
    assert missing == []
    for table, column, comment in columns:
        label, _, meaning = comment.partition("：")
        assert meaning.strip(), (table, column, comment)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in label), (table, column, comment)  # a Chinese label


def test_data_dictionary_lists_everything_documented(wh):
    assert wh.query(f"select count(*) from {DICTIONARY} where not documented") == [(0,)]
    n_columns = wh.query(
        f"select count(*) from duckdb_columns() as c join {RELATIONS} as t "
        "using (database_name, schema_name, table_name) where c.database_name = current_database()"
    )[0][0]
    assert wh.query(f"select count(*) from {DICTIONARY} where column_name is not null") == [(n_columns,)]
    assert wh.query(
        f"select label_zh, meaning from {DICTIONARY} "
        "where table_name = 'marts.indicators_by_body_year' and column_name = 'disclosure_rate'"
    ) == [("公开率", "(granted + partially_granted) / total, on the total column: "
                     "予以公开与部分公开占办理结果总计的比例")]


def test_the_docs_file_has_no_stale_table(wh):
    documented = set(documented_tables(load_docs()))
    assert documented == warehouse_tables(wh)


def test_warehouse_docs_runs_after_every_table_it_documents():
    from assets.definitions import defs

    specs = {spec.key: spec for spec in defs().resolve_all_asset_specs()}
    docs = specs[dg.AssetKey("warehouse_docs")]
    deps = {d.asset_key for d in docs.deps}
    expected = {asset_key_of(t) for t in documented_tables(load_docs()) if t not in SIDE_TABLES}
    assert deps == expected
    assert deps <= set(specs)  # every documented table is built by an asset of that key
    for key in (dg.AssetKey("warehouse_docs"), dg.AssetKey("dim_body_name"), dg.AssetKey(["charts", NAME])):
        assert "duckdb" in specs[key].kinds, key  # runs before the publish step, like every DuckDB asset


def test_body_dimension_asset_metadata(wh):
    events = {e.asset_key.to_user_string(): e for e in wh.result.get_asset_materialization_events()}
    metadata = events["dim_body_name"].materialization.metadata
    assert metadata["dagster/row_count"].value == wh.query("select count(*) from dim_body_name")[0][0]
    keys = events["loaded/body_keys"].materialization.metadata  # where the rule runs, over every name loaded
    assert keys["ambiguous_names"].value == 1
    assert keys["bodies"].value == wh.query("select count(distinct body_key) from loaded.body_keys")[0][0]
    assert keys["bodies"].value == wh.query("select count(distinct body_key) from dim_body_name")[0][0]


def test_body_keys_are_one_table_that_dim_report_and_dim_body_name_agree_on(wh):
    assert wh.query(
        "select count(*) from dim_report as d join loaded.body_keys as k using (organization) "
        "where d.body_key is distinct from k.body_key"
    ) == [(0,)]
    assert wh.query(
        "select count(*) from dim_body_name as b join loaded.body_keys as k using (organization) "
        "where b.body_key is distinct from k.body_key or b.ambiguous is distinct from k.ambiguous"
    ) == [(0,)]
    assert wh.query(
        "select count(*) from dim_report where organization is not null and trim(organization) <> '' "
        "and organization not in (select organization from dim_body_name)"
    ) == [(0,)]


def test_chart_is_written_and_shown_in_the_ui(wh):
    charts = wh.db.parent / "charts"
    assert (charts / "applications_series.png").read_bytes()[:8] == PNG_MAGIC
    html = (charts / "applications_series.html").read_text(encoding="utf-8")
    assert "vega-embed" in html
    assert "本年新收" in html or json.dumps("本年新收")[1:-1] in html  # the spec, as written or JSON-escaped
    events = {e.asset_key.to_user_string(): e for e in wh.result.get_asset_materialization_events()}
    metadata = events["charts/applications_series"].materialization.metadata
    assert metadata["chart"].value.startswith("![applications_series](data:image/png;base64,iVBORw0KGgo")
    assert metadata["dagster/row_count"].value == wh.query(
        "select count(*) from marts.applications_series_by_year"
    )[0][0]


def test_series_mart_sums_new_applications_over_bodies(wh):
    got = wh.query(
        "select report_year, template, bodies, new_natural_person, new_legal_person, new_total "
        "from marts.applications_series_by_year where report_year in (2020, 2021) order by all"
    )
    # 2020: 万东镇 (35) and the fictional 云溪镇 (56) and 白鹭街道 (74); 2021: 白鹭街道 still in the 2019 format (79),
    # 万东镇 and 湘乡市东湖街道 (49, as before the fictional bodies) and 云溪镇 (60) in the 2021 format
    assert got == [(2020, "2019", 3, 121, 44, 165), (2021, "2019", 1, 59, 20, 79), (2021, "2021", 3, 71, 38, 109)]
