"""The chart renderer (vl-convert's JavaScript engine with the bundled CJK font) started ahead of the chart
step, in a background thread, when a run that draws the chart starts.

vl-convert's first conversion in a process starts a V8 engine, loads Vega and reads the font: about 0.5 s of
the chart step, outside Python's lock, so it overlaps the run's first steps instead. (altair stays imported
by the chart step: importing it holds Python's lock, and would slow the scan as much as it saves.)

The resource `chart_renderer` is required by the chart asset only: Dagster sets it up when a run that
materializes the chart starts (the in-process executor sets every resource of the run up before its first
step), and never in a run without the chart. A failed warm-up is only logged: the chart step then starts the
renderer itself, as it always could.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import dagster as dg

_warm_up: threading.Thread | None = None
_lock = threading.Lock()


def cjk_font_dir() -> Path:
    """The folder of the bundled Noto Sans CJK font (package manimgx-fonts-cjk, OFL-1.1)."""
    import manimgx_fonts_cjk

    return Path(manimgx_fonts_cjk.__file__).parent


@cache
def register_cjk_font() -> None:
    """Give vl-convert the bundled CJK font (once per process)."""
    import vl_convert as vlc

    vlc.register_font_directory(str(cjk_font_dir()))


def warm_up() -> None:
    """Make vl-convert start its engine and read the font: a one-point chart."""
    import vl_convert as vlc

    register_cjk_font()
    spec = {"data": {"values": [{"x": 1}]}, "mark": "point", "encoding": {"x": {"field": "x", "type": "quantitative"}},
            "title": "申请"}
    vlc.vegalite_to_png(spec)


def start_warm_up(log=None) -> None:
    """Start `warm_up` in a background thread, once per process."""
    global _warm_up
    with _lock:
        if _warm_up is not None:
            return

        def run() -> None:
            try:
                warm_up()
            except Exception as exc:  # the chart step starts the renderer itself
                if log is not None:
                    log.warning(f"the chart renderer did not start ahead of the chart step: {exc!r}")

        _warm_up = threading.Thread(target=run, name="chart-renderer-warm-up", daemon=True)
        _warm_up.start()


def wait_for_warm_up() -> None:
    """Let a warm-up in progress finish (vl-convert converts one chart at a time anyway)."""
    if _warm_up is not None:
        _warm_up.join()


class ChartRenderer(dg.ConfigurableResource):
    """The chart renderer, started in the background when a run that draws the chart starts."""

    # A field, besides being a switch: Dagster reads a resource with no fields through pydantic's deprecated
    # `__fields__`, a warning at every definitions load.
    start_ahead: bool = True  # start the renderer when the run starts

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        if self.start_ahead:
            start_warm_up(context.log)
