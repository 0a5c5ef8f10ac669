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
"""

from __future__ import annotations

import base64
import os
from functools import cache
from pathlib import Path

import altair as alt
import dagster as dg
import polars as pl

from assets.lib.duckdb_ops import POOL
from assets.lib.storage import DuckDBWarehouse, env_path
from assets.lib.ui_metadata import frame_metadata

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


def cjk_font_dir() -> Path:
    """The folder of the bundled Noto Sans CJK font (package manimgx-fonts-cjk, OFL-1.1)."""
    import manimgx_fonts_cjk

    return Path(manimgx_fonts_cjk.__file__).parent


@cache
def _register_cjk_font() -> None:
    import vl_convert as vlc

    vlc.register_font_directory(str(cjk_font_dir()))


def render_png(chart: alt.TopLevelMixin) -> bytes:
    """The chart as PNG, its Chinese text drawn with the bundled CJK font (no system font needed)."""
    import vl_convert as vlc

    _register_cjk_font()
    return vlc.vegalite_to_png(chart.to_dict(), scale=2)


def write_html(chart: alt.TopLevelMixin, path: Path) -> None:
    """The chart as a standalone HTML page with Vega, Vega-Lite and vega-embed inline: it opens offline."""
    chart.save(str(path), inline=True)


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
def applications_series_chart(warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
    with warehouse.connect() as conn:
        series = conn.sql(f"select * from {SOURCE} order by report_year, template").pl()
    chart = series_chart(series)
    out = charts_dir()
    out.mkdir(parents=True, exist_ok=True)
    png, html = out / f"{NAME}.png", out / f"{NAME}.html"
    image = render_png(chart)
    png.write_bytes(image)
    write_html(chart, html)
    embedded = base64.b64encode(image).decode("ascii")
    return dg.MaterializeResult(
        metadata={
            **frame_metadata(series),
            "chart": dg.MetadataValue.md(f"![{NAME}](data:image/png;base64,{embedded})"),
            "png": dg.MetadataValue.path(str(png)),
            "html": dg.MetadataValue.path(str(html)),
        }
    )
