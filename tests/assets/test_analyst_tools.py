"""What analysts, researchers and Dagster users reach for (issue 16), on the warehouse `make run` builds.

One build of the whole of data/ra/ (the seeds and the fictional bodies' samples) through `warehouse_job`,
plus two reports that yield no value (a comma-separated table and a prose-only page), then: the guide's
examples all answer, the installed DuckDB CLI opens the published file, the spreadsheets read back with their
BOM and Chinese headers, the chart renders Chinese offline, the empty reports are problems everywhere a
person looks, and the fact views carry their source file.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import dagster as dg
import pytest

from assets.definitions import defs
from assets.defs.automation import JOB_NAME
from assets.lib import summary
from synthetic import fictional_bodies
from tests.support import PROJECT
from tests.support.nightly_support import SAMPLES, Warehouse
from tests.support.warehouse_support import columns, one, query

# Builds the warehouse through warehouse_job, runs the DuckDB CLI and make.
pytestmark = pytest.mark.integration

GUIDE = PROJECT / "docs" / "analyst-guide.md"
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"
COMMA = "2022_shiqiao-xiang_comma.txt"
PROSE = "2023_shiqiao-xiang_prose.txt"


def empty_reports() -> dict[str, str]:
    """A report whose table is comma-separated and one with prose only: both parse to 0 cells."""
    sample = next(t for n, t in fictional_bodies.sample_files().items() if "2022_yunxi" in n)
    other = sample.replace("青岚县云溪镇人民政府", "青岚县石桥乡人民政府")
    comma = re.sub(r"\s*[|\t]\s*", ",", other).replace("2022", "2022")
    prose = "\n".join(line for line in other.replace("2022", "2023").splitlines() if not re.search(r"[|\t]", line))
    return {COMMA: comma, PROSE: prose + "\n本年度共收到申请七十件，全部按期办理。\n"}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("make_run"))
    shutil.copytree(SAMPLES, wh.raw)
    for name, text in empty_reports().items():
        (wh.raw / name).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for key, value in wh.env().items():
            mp.setenv(key, value)
        mp.delenv("DAGSTER_HOME", raising=False)
        with dg.DagsterInstance.ephemeral() as instance:
            result = defs().resolve_job_def(JOB_NAME).execute_in_process(instance=instance, raise_on_error=False)
            exported = defs().resolve_implicit_global_asset_job_def().execute_in_process(
                instance=instance, asset_selection=[dg.AssetKey(["export", "spreadsheets"])], raise_on_error=False)
    assert result.success and exported.success
    wh.result = result  # type: ignore[attr-defined]
    return wh


# -- 6. samples that show the point of the warehouse ------------------------------------------------------------

def guide_examples() -> list[str]:
    return re.findall(r"```sql\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("number", range(1, len(guide_examples()) + 1))
def test_every_guide_example_answers_on_the_make_run_warehouse(built, number):
    """Rows, and no column that is null in every row: each example tells something on the bundled samples."""
    names, rows = columns(built.published, guide_examples()[number - 1])
    assert rows, f"example {number} returns no row"
    empty = [name for i, name in enumerate(names) if all(row[i] is None for row in rows)]
    assert empty == [], f"example {number}: columns null in every row: {empty}"


def test_the_fictional_bodies_cross_the_formats_with_numbers(built):
    _, rows = columns(built.published, """
        select body_key, count(*), count(distinct template), min(report_year), max(report_year),
               sum(n_cells) filter (where n_cells > 0) > 0
        from dim_report where organization like '%云溪镇%' or organization like '%白鹭街道%'
        group by body_key order by body_key""")
    assert sorted((r[1], r[2], r[3], r[4], r[5]) for r in rows) == [(6, 2, 2019, 2024, True), (7, 2, 2019, 2025, True)]
    _, totals = columns(built.published, """
        select min(total), max(total) from marts.applications_by_body_year
        where outcome = 'new_received' and (body_name like '%云溪镇%' or body_name like '%白鹭街道%')""")
    low, high = totals[0]
    assert low > 20 and high > low  # real-looking counts that move, not the seeds' zeros


def test_the_committed_samples_are_what_the_generator_writes():
    files = fictional_bodies.sample_files()
    committed = {p.name: p.read_text(encoding="utf-8") for p in SAMPLES.glob(f"{fictional_bodies.PREFIX}*")}
    assert committed == files and len(files) == 13


# -- 1. the file opens in the DuckDB CLI the project installs ---------------------------------------------------

def test_the_installed_duckdb_cli_opens_the_published_file(built):
    assert DUCKDB_CLI.exists(), "the duckdb-cli dependency installs .venv/bin/duckdb (make sql)"
    cli = subprocess.run([str(DUCKDB_CLI), "-readonly", "-csv", str(built.published), "-c",
                          "select count(*) from dim_report where is_current; select version();"],
                         capture_output=True, text=True, timeout=60)
    assert cli.returncode == 0, cli.stderr
    lines = cli.stdout.split()
    current = one(built.published, "select count(*) from dim_report where is_current")
    assert lines[1] == str(current) and current >= 20
    assert lines[3].startswith("v1."), "an older DuckDB than the one that wrote the file reads it"


def test_the_published_file_has_the_readable_storage_format(built):
    _, rows = columns(built.published, "select tags['storage_version'] from duckdb_databases() "
                                     "where database_name = current_database()")
    assert rows[0][0].removesuffix("+") == "v1.2.0"


def test_make_sql_opens_the_cli_read_only():
    plan = subprocess.run(["make", "--no-print-directory", "-n", "sql"], cwd=PROJECT, capture_output=True, text=True,
                          timeout=60)
    assert re.search(r"\.venv/bin/duckdb -readonly \S*warehouse\.duckdb", plan.stdout), plan.stdout


# -- 3. a report with no value is a problem, visible as such ---------------------------------------------------

def test_reports_with_no_cell_are_problems(built):
    _, rows = columns(built.published, "select problem, source_file, detail from report_problems "
                                     "where problem = 'no_cells' order by source_file")
    assert [(p, Path(f).name) for p, f, _ in rows] == [("no_cells", COMMA), ("no_cells", PROSE)]
    assert all("no value could be placed" in detail for _, _, detail in rows)
    _, flags = columns(built.published, "select no_cells, count(*) from dim_report group by all order by 1")
    assert flags[1] == (True, 2)


def test_the_ui_check_warns_of_reports_with_no_cell(built):
    checks = {e.check_name: e for e in built.result.get_asset_check_evaluations()}
    empty = checks["reports_have_cells"]
    assert not empty.passed and empty.severity == dg.AssetCheckSeverity.WARN
    assert checks["unique_key"].passed and checks["one_current_report_per_body_year"].passed
    assert checks["reports_per_year"].passed and checks["no_new_refusals"].passed  # no earlier publish


def test_make_runs_summary_lists_the_empty_and_refused_reports(built):
    text = "\n".join(summary.report(built.published))
    assert "2 files parsed with no value at all" in text
    assert COMMA in text and PROSE in text
    assert re.search(r"Warehouse: .*warehouse\.duckdb \(\d+ current reports of \d+ bodies, 2019–2025\)", text)


# -- 4. spreadsheets ---------------------------------------------------------------------------------------------

def mart_names(db: Path) -> set[str]:
    """The tables and views of the schema `marts`."""
    return {name for (name,) in query(db, "select table_name from duckdb_tables() where schema_name = 'marts' "
                                          "union all select view_name from duckdb_views() where schema_name = 'marts'")}


def test_every_mart_is_a_csv_with_a_bom_that_reads_back(built):
    out = built.root / "export"
    marts = mart_names(built.published)
    files = {p.stem: p for p in (out / "csv").glob("*.csv")}
    assert set(files) == marts
    data = files["applications_by_body_year"].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel on a Chinese Windows reads UTF-8 only with the BOM
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    n = one(built.published, "select count(*) from marts.applications_by_body_year")
    assert len(rows) == n + 1 and "body_name" in rows[0]
    assert any("青岚县云溪镇人民政府" in row for row in rows[1:])


def test_the_workbook_has_a_sheet_per_mart_with_chinese_headers(built):
    book = built.root / "export" / "warehouse_marts.xlsx"
    with zipfile.ZipFile(book) as z:
        ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
        sheets = [s.get("name") for s in ElementTree.fromstring(z.read("xl/workbook.xml")).iter(f"{{{ns['m']}}}sheet")]
        strings = z.read("xl/sharedStrings.xml").decode("utf-8")
    marts = mart_names(built.published)
    assert sheets[0] == "说明"  # what each sheet is, first
    assert set(sheets[1:]) == {m[:31] for m in marts}
    assert "公开率" in strings and "青岚县云溪镇人民政府" in strings  # a column label, a value


# -- 5. the chart offline and in Chinese ----------------------------------------------------------------------

def test_the_html_chart_carries_its_scripts(built):
    html = (built.root / "charts" / "applications_series.html").read_text(encoding="utf-8")
    assert "<script" in html and not re.search(r"<script[^>]+src=", html)  # nothing to fetch
    assert "vegaEmbed" in html and len(html) > 300_000


def test_the_png_draws_chinese_glyphs_not_boxes():
    """Two titles of different Chinese characters: with missing glyphs both render as the same boxes."""
    import altair as alt
    import polars as pl

    from assets.defs.charts import render_png

    def png(title: str) -> bytes:
        chart = alt.Chart(pl.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").properties(title=title)
        return render_png(chart)

    assert png("申请公开") != png("予以答复")
    assert png("申请公开") == png("申请公开")


# -- 9. the quality in the UI ------------------------------------------------------------------------------------

def test_fact_views_carry_their_source_file(built):
    _, rows = columns(built.published, "select count(*), count(source_file), count(distinct source_file) "
                                     "from fact_applications")
    total, with_file, files = rows[0]
    assert total == with_file and files >= 20
    assert one(built.published, "select count(*) from fact_review_litigation where source_file is null") == 0


def test_asset_column_schemas_carry_the_documented_descriptions(built):
    materialized = {m.asset_key: m for m in built.result.asset_materializations_for_node("sql_models")}
    schema = materialized[dg.AssetKey("dim_report")].metadata["dagster/column_schema"].value
    described = {c.name: c.description for c in schema.columns}
    assert described["template"].startswith("报告格式")
    assert described["no_cells"].startswith("无数据")


def test_parse_assets_have_a_code_version():
    from pipeline import PARSER_VERSION

    specs = {spec.key: spec for spec in defs().resolve_all_asset_specs()}
    assert specs[dg.AssetKey(["parsed", "reports"])].code_version == PARSER_VERSION


def test_resources_name_the_environment_variables(monkeypatch, tmp_path):
    monkeypatch.setenv("RAW_DIR", str(tmp_path))
    from assets.lib.storage import default_resources

    paths = default_resources()["paths"]
    assert isinstance(paths.raw_dir, dg.EnvVar) and paths.raw_dir.env_var_name == "RAW_DIR"


# -- 10. commands answer --help without side effects ------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["-m", "pipeline.crosswalk", "--help"],
    ["-m", "assets.lib.summary", "--help"],
    ["-m", "synthetic.fictional_bodies", "--help"],
    ["-m", "pipeline.cli", "parse", "--help"],
    ["benchmarks/run_graph.py", "--help"],
    ["benchmarks/bench_runtogether.py", "--help"],
])
def test_help_writes_nothing(command, tmp_path):
    before = {p: p.stat().st_mtime_ns for p in (PROJECT / "dbt_like_sql").rglob("*") if p.is_file()}
    before |= {p: p.stat().st_mtime_ns for p in SAMPLES.iterdir()}
    done = subprocess.run([sys.executable, *command], cwd=PROJECT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "WAREHOUSE_DB": str(tmp_path / "w.duckdb")})
    assert done.returncode == 0 and "usage" in done.stdout.lower(), done.stderr
    after = {p: p.stat().st_mtime_ns for p in before}
    assert after == before
    assert not (tmp_path / "w.duckdb").exists()
