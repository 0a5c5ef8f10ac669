"""Section 二: the 第二十条 sub-tables, each with its own template detected from its headers (spec §3, §4, §9)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.layout import LogicalRow, Token, logical_rows
from pipeline.normalize import strip_numbering
from pipeline.place import Placer
from pipeline.templates import DISCLOSURE_TABLES, DisclosureTable, Measure

_SUBHEAD = re.compile(r"第二十条第\(?([一二三四五六七八九十]{1,2})\)?项")
_ITEM_TO_TABLE = {t.item: key for key, t in DISCLOSURE_TABLES.items()}


@dataclass
class SubTable:
    key: str
    tokens: list[Token]
    line: int


def split_subtables(toks: list[Token]) -> tuple[list[SubTable], list[Token]]:
    """Cut section 二 at its `第二十条第（X）项` sub-headings; tokens before the first are returned apart."""
    subs: list[SubTable] = []
    before: list[Token] = []
    for tok in toks:
        m = _SUBHEAD.search(tok.key) if tok.kind == "label" else None
        if m and m.group(1) in _ITEM_TO_TABLE:
            subs.append(SubTable(_ITEM_TO_TABLE[m.group(1)], [], tok.line))
            continue
        (subs[-1].tokens if subs else before).append(tok)
    return subs, before


def detect_template(table: DisclosureTable, labels: list[str], value_count: int | None) -> tuple[str, bool]:
    """The sub-table's template from its header markers; (template, decided_by_markers)."""
    text = "|".join(labels)
    hits = {tpl: any(m in text for m in markers) for tpl, markers in table.markers.items()}
    if table.key in ("art20_5", "art20_6") and "2019" in hits:
        # 处理决定数量 is a substring of the 2021 本年处理决定数量: only the bare form is a 2019 marker.
        bare = any(lab.endswith("处理决定数量") and not lab.endswith("本年处理决定数量") for lab in labels)
        hits["2019"] = hits["2019"] or bare
    # Only the row label is left: 规范性文件 not preceded by 行政 is 2019 (headers decide when present).
    if (table.key == "art20_1" and not any(hits.values())
            and any(lab.endswith("规范性文件") and not lab.endswith("行政规范性文件") for lab in labels)):
        hits["2019"] = True
    decided = [tpl for tpl, hit in hits.items() if hit]
    if len(decided) == 1:
        return decided[0], True
    if len(table.measures) == 1:
        return next(iter(table.measures)), True
    if value_count is not None:
        by_width = [tpl for tpl, ms in table.measures.items() if len(ms) == value_count]
        if len(by_width) == 1:
            return by_width[0], False
    return "unknown", False


def column_order(measures: tuple[Measure, ...], labels: list[str]) -> tuple[Measure, ...]:
    """Measures in header order when every header is found, else the template's order."""
    positions: list[tuple[int, Measure]] = []
    for m in measures:
        idx = next((i for i, lab in enumerate(labels) if any(p in lab for p in m.phrases)), None)
        if idx is None:
            return measures
        positions.append((idx, m))
    ordered = tuple(m for _, m in sorted(positions, key=lambda p: p[0]))
    return ordered if len({i for i, _ in positions}) == len(measures) else measures


def extract_disclosure(toks: list[Token], mode: str, exact: bool, placer: Placer) -> dict[str, str]:
    """Place every section-二 cell; return the template detected per sub-table."""
    subs, _ = split_subtables(toks)
    templates: dict[str, str] = {}
    seen: set[str] = set()
    for sub in subs:
        table = DISCLOSURE_TABLES[sub.key]
        if sub.key in seen:
            placer.find("error", "duplicate_table", f"{sub.key} appears twice; the second is ignored",
                        table=sub.key, line=sub.line)
            continue
        seen.add(sub.key)
        rows = logical_rows(sub.tokens, mode, exact)
        labels = [t.key for r in rows for t in r.labels]
        data_rows = [r for r in rows if r.value_count()]
        width = data_rows[0].value_count() if data_rows else None
        tpl, by_markers = detect_template(table, labels, width)
        if tpl == "unknown":
            placer.find("warning", "template_unknown", f"{sub.key}: no header marks its template",
                        table=sub.key, line=sub.line)
            for r in data_rows:
                placer.unplaced(sub.key, r, "template of the table unknown")
            continue
        if not by_markers:
            placer.find("info", "template_inferred", f"{sub.key}: headers missing; {tpl} inferred from row width",
                        table=sub.key, line=sub.line)
        templates[sub.key] = tpl
        _place_rows(table, tpl, rows, labels, placer)
    return templates


def _place_rows(table: DisclosureTable, tpl: str, rows: list[LogicalRow], labels: list[str],
                placer: Placer) -> None:
    measures = column_order(table.measures[tpl], labels)
    columns = tuple(m.key for m in measures)
    kinds = tuple(m.kind for m in measures)
    for r in rows:
        values = r.values()
        if not values:
            continue
        label = strip_numbering(r.last_label)
        item = next((it for it in table.rows[tpl] if any(p in label for p in it.phrases)), None)
        if item is None:
            raw = " | ".join(t.raw for t in values)
            placer.find("warning", "extra_row", f"{table.key}: row {r.labels[-1].raw if r.labels else '?'!s} "
                        f"is not in the {tpl} template; kept out of the cells: {raw}",
                        table=table.key, line=r.line, raw=raw)
            continue
        if placer.has(table.key, item.key):
            placer.unplaced(table.key, r, f"second row for {item.key}")
            continue
        if len(values) != len(columns):
            raw = " | ".join(t.raw for t in values)
            placer.find("error", "value_count_mismatch",
                        f"{table.key}.{item.key}: {len(values)} values for {len(columns)} columns: {raw}",
                        table=table.key, row=item.key, line=r.line, raw=raw)
            continue
        placer.place_row(table.key, item.key, columns, values, kinds)
    placer.report_missing_rows(table.key, [item.key for item in table.rows[tpl]])
