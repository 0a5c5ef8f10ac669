"""Layer `analyst`: a chart of the main cross-year series, shown in the asset's metadata in the UI.

`charts/applications_series` reads `marts.applications_series_by_year` (new applications per year, from
natural persons and from legal persons, and the number of bodies per year and format) and writes a
Vega-Lite chart (altair) as PNG and HTML under `charts/` beside the analysts' DuckDB file (`data/warehouse/charts/`;
env `CHARTS_DIR` overrides). The PNG is
embedded in the materialization's Markdown metadata, so the UI shows it on the asset page.

Both work on a machine with no network and no Chinese font: the HTML carries the Vega scripts inline (no CDN),
and the PNG is drawn with Noto Sans CJK (SIL Open Font License 1.1), which the dependency `manimgx-fonts-cjk`
installs into site-packages: without it every Chinese character would be an empty box. The HTML names the
same font first and falls back to the fonts Chinese systems have (Microsoft YaHei, PingFang SC, …).

Drawing costs seconds, so it is done only when the chart changed: the chart's Vega-Lite spec (its data
included) and the renderer's versions are hashed, and files whose hash matches `.applications_series.key`
beside them are kept. The script the HTML inlines (vega-embed with Vega and Vega-Lite, 2 s for vl-convert to
bundle) is bundled once per vl-convert version and kept beside the environment that installed it
(`<venv>/share/gov-disclosure-warehouse/vega-embed-<versions>.js`), so a fresh charts folder (a full build)
does not pay for it again; where that folder cannot be written, beside the charts (`.vega-embed-<versions>.js`).
altair is imported by this step only, not when the definitions load; a run that draws the chart starts the
renderer (altair, vl-convert's engine, the font) in the background when it starts (`assets/lib/chart_renderer.py`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
import polars as pl

from assets.lib import environment_cache
from assets.lib.chart_renderer import ChartRenderer, register_cjk_font, wait_for_warm_up
from assets.lib.duckdb_ops import POOL
from assets.lib.storage import DuckDBWarehouse, env_path
from assets.lib.ui_metadata import frame_metadata

if TYPE_CHECKING:
    import altair as alt

SOURCE = "marts.applications_series_by_year"
NAME = "applications_series"
FONT = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, PingFang SC, WenQuanYi Micro Hei, sans-serif"


def charts_dir() -> Path:
    """env CHARTS_DIR, else `charts/` beside the analysts' warehouse file (env WAREHOUSE_DB): data/warehouse/charts."""
    if os.environ.get("CHARTS_DIR"):
        return Path(env_path("CHARTS_DIR", ""))
    return Path(env_path("WAREHOUSE_DB", "data/warehouse/warehouse.duckdb")).parent / "charts"


def _bars(frame: pl.DataFrame, value: str, value_title: str, color: str, scale: alt.Scale | None, title: str,
          height: int) -> alt.Chart:
    """Stacked bars of `value` per year (`年份`), coloured by `color`."""
    import altair as alt

    return (
        alt.Chart(alt.Data(values=frame.to_dicts()))
        .mark_bar()
        .encode(
            x=alt.X("年份:O", title="统计年度", axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"sum({value}):Q", title=value_title),
            color=alt.Color(f"{color}:N", title=color, **({"scale": scale} if scale else {})),
            tooltip=["年份:O", f"{color}:N", f"sum({value}):Q"],
        )
        .properties(title=title, width=420, height=height)
    )


def series_chart(series: pl.DataFrame) -> alt.VConcatChart:
    """Stacked bars of new applications per year by applicant group, above the bodies per year and format."""
    import altair as alt

    groups = series.select(
        pl.col("report_year").cast(pl.Utf8).alias("年份"),
        pl.col("template"),
        pl.col("new_natural_person").alias("自然人"),
        pl.col("new_legal_person").alias("法人或其他组织"),
    ).unpivot(index=["年份", "template"], variable_name="申请人", value_name="新收申请")
    groups = groups.group_by("年份", "申请人", maintain_order=True).agg(pl.col("新收申请").sum())
    formats = series.select(
        pl.col("report_year").cast(pl.Utf8).alias("年份"),
        (pl.col("template") + " 格式").alias("报告格式"),
        pl.col("bodies").alias("机关数"),
    )
    applications = _bars(groups, "新收申请", "本年新收申请（件）", "申请人", None,
                         "本年新收政府信息公开申请 (new_received, exact across formats)", height=220)
    bodies = _bars(formats, "机关数", "报告机关数", "报告格式", alt.Scale(scheme="set2"),
                   "报告机关数，按年度报告格式 (bodies per year and format)", height=120)
    return (
        alt.vconcat(applications, bodies)
        .resolve_scale(color="independent")
        .configure(font=FONT)
        .configure_title(font=FONT, anchor="start")
    )


def render_png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as PNG, its Chinese text drawn with the bundled CJK font (no system font needed)."""
    import vl_convert as vlc

    register_cjk_font()
    return vlc.vegalite_to_png(chart.to_dict(), scale=2)


def _versions() -> str:
    import altair as alt
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    return f"altair-{alt.__version__}_vl-convert-{vlc.__version__}_vega-lite-{vl_version_for_vl_convert()}"


def bundle_dirs(charts: Path) -> list[Path]:
    """Where the vega-embed bundle is kept, first choice first: beside the Python environment (the bundle
    depends on its vl-convert), then the charts folder."""
    return [environment_cache.FOLDER, charts]


def vega_embed_bundle(folder: Path) -> str:
    """vega-embed with Vega and Vega-Lite as one script, as `chart.save(inline=True)` inlines it; bundled by
    vl-convert once per version and kept beside the environment (or in `folder`, the charts folder)."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    name = f"vega-embed-{_versions()}.js"
    places = [(d / name if d != folder else d / f".{name}") for d in bundle_dirs(folder)]
    for cached in places:
        if cached.exists():
            return cached.read_text(encoding="utf-8")
    bundle = vlc.javascript_bundle(vl_version=vl_version_for_vl_convert())
    for cached in places:
        if environment_cache.write_atomic(cached, bundle):  # else a read-only environment: the next place
            break
    return bundle


class _InlineTemplate:
    """altair's inline HTML template with a bundle made beforehand (altair would bundle it on every save)."""

    def __init__(self, bundle: str):
        self.bundle = bundle

    def render(self, **values) -> str:
        from altair.utils.html import INLINE_HTML_TEMPLATE

        return INLINE_HTML_TEMPLATE.render(vegaembed_script=self.bundle, **values)


def write_html(chart: alt.TopLevelMixin, path: Path) -> None:
    """The chart as a standalone HTML page with Vega, Vega-Lite and vega-embed inline: it opens offline."""
    chart.save(str(path), format="html", template=_InlineTemplate(vega_embed_bundle(path.parent)))


def chart_key(chart: alt.TopLevelMixin) -> str:
    """What the drawn files depend on: the chart's spec with its data, and the renderers' versions."""
    spec = json.dumps(chart.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{_versions()}\n{spec}".encode()).hexdigest()


@dg.asset(
    key=["charts", NAME],
    group_name="analyst",
    kinds={"altair", "duckdb"},
    deps=[dg.AssetKey(["marts", "applications_series_by_year"])],
    pool=POOL,
    description=(
        "Chart of the main cross-year series: new applications (本年新收) per year by applicant group, and "
        "the bodies reporting per year and format, from marts.applications_series_by_year. PNG and HTML "
        "in data/warehouse/charts/ (beside the warehouse file; env CHARTS_DIR overrides); the PNG is shown in "
        "this asset's metadata."
    ),
)
def applications_series_chart(warehouse: DuckDBWarehouse, chart_renderer: ChartRenderer) -> dg.MaterializeResult:
    with warehouse.connect() as conn:
        series = conn.sql(f"select * from {SOURCE} order by report_year, template").pl()
    wait_for_warm_up()  # the renderer, started when the run started (chart_renderer)
    chart = series_chart(series)
    out = charts_dir()
    out.mkdir(parents=True, exist_ok=True)
    png, html, key_file = out / f"{NAME}.png", out / f"{NAME}.html", out / f".{NAME}.key"
    key = chart_key(chart)
    unchanged = png.exists() and html.exists() and key_file.exists() and key_file.read_text() == key
    if unchanged:
        image = png.read_bytes()
    else:
        key_file.unlink(missing_ok=True)
        image = render_png(chart)
        png.write_bytes(image)
        write_html(chart, html)
        key_file.write_text(key)
    embedded = base64.b64encode(image).decode("ascii")
    return dg.MaterializeResult(
        metadata={
            **frame_metadata(series),
            "chart": dg.MetadataValue.md(f"![{NAME}](data:image/png;base64,{embedded})"),
            "png": dg.MetadataValue.path(str(png)),
            "html": dg.MetadataValue.path(str(html)),
            "redrawn": not unchanged,
        }
    )
