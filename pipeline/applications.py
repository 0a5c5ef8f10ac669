"""Section 三: the application table (spec §5), including rows that lost their labels (spec §10.4).

Rows are recognised by key phrases in their last label, values are read by position (the last 7), and
merged group labels (（三）不予公开 …) are tracked as state. An unlabelled row is placed only under the
deterministic rule of §10.4; otherwise it is reported as unplaced, never guessed into a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.layout import LogicalRow, join_wrapped
from pipeline.normalize import strip_numbering
from pipeline.place import Placer, place_reading
from pipeline.surplus import a3
from pipeline.templates import (
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_MARKERS_2021,
    APPLICATION_ROWS,
    AppGroup,
    AppRow,
)

TABLE = "applications"
WIDTH = len(APPLICATION_COLUMNS)


@dataclass
class _GroupRun:
    group: AppGroup
    rows: list[tuple[LogicalRow, AppRow | None]] = field(default_factory=list)


def detect_template(rows: list[LogicalRow], wrapped: bool = True) -> str:
    """2021 if （六） has its sub-rows (by label, or 3 value rows before 总计); 2019 if it is one leaf row.
    `wrapped`: labels may be wrapped over physical rows (a row layout)."""
    if wrapped:
        rows = join_wrapped(rows, _names_any_row)
    labels = [strip_numbering(t.key) for r in rows for t in r.labels]
    # A marker (no NUL in it) inside one label is inside the labels joined by NULs, and only there.
    joined = "\0".join(labels)
    if labels and any(m in joined for m in APPLICATION_MARKERS_2021):
        return "2021"
    data = [r for r in rows if r.value_count()]
    other = next(g for g in APPLICATION_GROUPS["2021"] if g.key == "other").phrases
    start = next((i for i, r in enumerate(data) if any(p in t.key for t in r.labels for p in other)), None)
    if start is None:
        return "unknown"
    end = next((i for i in range(start + 1, len(data)) if "总计" in data[i].last_label), None)
    if end is None:
        return "unknown"
    return {1: "2019", 3: "2021"}.get(end - start, "unknown")


@lru_cache(maxsize=4096)  # the same labels in every report (keyed by the template name: cheap to hash)
def _match_leaf(label: str, template: str) -> AppRow | None:
    bare = strip_numbering(label)
    for row in APPLICATION_ROWS[template]:
        if any(p in bare for p in row.phrases) or bare in row.exact:
            return row
    return None


def _match_group(row: LogicalRow, template: str) -> AppGroup | None:
    for tok in row.labels:
        group = _group_of_label(tok.key, template)
        if group is not None:
            return group
    return None


@lru_cache(maxsize=4096)
def _group_of_label(key: str, template: str) -> AppGroup | None:
    for g in APPLICATION_GROUPS[template]:
        if any(p in key for p in g.phrases):
            return g
    return None


def _names_any_row(r: LogicalRow) -> bool:
    """`r` names a row of either template."""
    return any(_names_row(r, tpl) for tpl in APPLICATION_ROWS)


def _names_row(r: LogicalRow, template: str) -> bool:
    return (bool(r.labels) and _match_leaf(r.last_label, template) is not None) or _match_group(r, template) is not None


def extract_applications(rows: list[LogicalRow], template: str, placer: Placer, wrapped: bool = True) -> None:
    if wrapped:
        rows = join_wrapped(rows, lambda r: _names_row(r, template))
    template_rows = APPLICATION_ROWS[template]
    group_of = {r.key: r.group for r in template_rows}
    run: _GroupRun | None = None
    for r in rows:
        if not r.value_count():
            continue
        leaf = _match_leaf(r.last_label, template) if r.labels else None
        group = _match_group(r, template)
        if leaf is not None and group is not None and leaf.group != group.key:
            leaf = None  # e.g. `（三）不予公开` alone: the group label is not a leaf of its own
        if group is not None:
            _close(run, placer)
            run = _GroupRun(group)
        elif run is not None and leaf is not None and group_of.get(leaf.key) != run.group.key:
            _close(run, placer)
            run = None
        if run is not None:
            run.rows.append((r, leaf))
            continue
        if leaf is None:
            placer.unplaced(TABLE, r, "row label not recognised")
            continue
        _place(r, leaf.key, placer, label_inferred=False)
    _close(run, placer)
    placer.report_missing_rows(TABLE, [row.key for row in template_rows])


def _place(r: LogicalRow, row_key: str, placer: Placer, label_inferred: bool) -> None:
    values = r.values()
    if len(values) < WIDTH:
        raw = " | ".join(t.raw for t in values)
        placer.find("error", "value_count_mismatch",
                    f"applications.{row_key}: {len(values)} values for {WIDTH} columns: {raw}",
                    table=TABLE, row=row_key, line=r.line, raw=raw)
        return
    if len(values) == WIDTH:
        placer.place_row(TABLE, row_key, APPLICATION_COLUMNS, values, label_inferred=label_inferred)
        return
    place_reading(placer, TABLE, row_key, APPLICATION_COLUMNS, values, r.line, a3, label_inferred)


def _close(run: _GroupRun | None, placer: Placer) -> None:
    """Place a finished group: labelled rows directly, unlabelled ones only under the §10.4 rule."""
    if run is None:
        return
    official = run.group.rows
    unlabelled = [i for i, (_, leaf) in enumerate(run.rows) if leaf is None]
    if not unlabelled:
        for r, leaf in run.rows:
            _place(r, leaf.key, placer, label_inferred=False)  # type: ignore[union-attr]
        return
    reasons = []
    if len(run.rows) != len(official):
        reasons.append(f"the group has {len(run.rows)} rows, the template {len(official)}")
    for i, (_, leaf) in enumerate(run.rows):
        if leaf is not None and (i >= len(official) or official[i] != leaf.key):
            reasons.append(f"labelled row {leaf.key} is not at its official position {i + 1}")
    for i in unlabelled:
        n = run.rows[i][0].value_count()
        if n not in (WIDTH, WIDTH + 1):
            reasons.append(f"unlabelled row {i + 1} has {n} values")
    if reasons:
        for r, leaf in run.rows:
            if leaf is not None:
                _place(r, leaf.key, placer, label_inferred=False)
            else:
                placer.unplaced(TABLE, r, f"row label lost in group {run.group.key} ({'; '.join(reasons)})")
        return
    inferred = []
    for i, (r, leaf) in enumerate(run.rows):
        if leaf is not None:
            _place(r, leaf.key, placer, label_inferred=False)
            continue
        key = official[i]
        _place(r, key, placer, label_inferred=True)
        inferred.append(key)
    placer.find("info", "label_inferred",
                f"applications: labels lost in group {run.group.key}; rows placed by position: {', '.join(inferred)}",
                table=TABLE, cells=[[TABLE, k, "*"] for k in inferred])
