"""Section 二: the 第二十条 sub-tables, each with its own template detected from its headers (spec §3, §4, §9)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.layout import LogicalRow, Token, join_wrapped, logical_rows
from pipeline.normalize import strip_numbering
from pipeline.place import Placer
from pipeline.templates import DISCLOSURE_TABLES, DisclosureTable, ItemRow, Measure

_SUBHEAD = re.compile(r"第二十条第\(?([一二三四五六七八九十]{1,2})\)?项")
_ITEM_TO_TABLE = {t.item: key for key, t in DISCLOSURE_TABLES.items()}


@dataclass
class SubTable:
    key: str
    tokens: list[Token]
    line: int


def split_subtables(toks: list[Token]) -> tuple[list[SubTable], list[Token]]:
    """Cut section 二 at its `第二十条第（X）项` sub-headings; tokens before the first are returned apart.

    A sub-heading wrapped over lines or cells (`第二十条第（` / `一）项`, PDF text) is read across the label
    tokens that follow it.
    """
    subs: list[SubTable] = []
    before: list[Token] = []
    skip = 0
    for k, tok in enumerate(toks):
        if skip:
            skip -= 1
            continue
        item, used = _subheading(toks, k) if tok.kind == "label" and "第二十" in tok.key else (None, 0)
        if item is not None:
            subs.append(SubTable(_ITEM_TO_TABLE[item], [], tok.line))
            skip = used
            continue
        (subs[-1].tokens if subs else before).append(tok)
    return subs, before


def _subheading(toks: list[Token], k: int, reach: int = 4) -> tuple[str | None, int]:
    """(the item of the sub-heading starting at toks[k], how many further tokens it took): up to `reach`
    more label tokens are read, empty cells between them skipped, a value ends the search."""
    key = toks[k].key
    m = _SUBHEAD.search(key)
    if m:
        return (m.group(1), 0) if m.group(1) in _ITEM_TO_TABLE else (None, 0)
    labels = 0
    for j in range(k + 1, len(toks)):
        if toks[j].kind == "empty":
            continue
        if toks[j].kind != "label" or labels >= reach:
            break
        key += toks[j].key
        labels += 1
        m = _SUBHEAD.search(key)
        if m:
            return (m.group(1), j - k) if m.group(1) in _ITEM_TO_TABLE else (None, 0)
    return None, 0


def detect_template(table: DisclosureTable, labels: list[str], value_count: int | None) -> tuple[str, bool]:
    """The sub-table's template from its header markers; (template, decided_by_markers)."""
    text = "|".join(labels)
    hits = {tpl: any(m in text for m in markers) for tpl, markers in table.markers.items()}
    if table.key in ("art20_5", "art20_6") and "2019" in hits:
        # 处理决定数量 is a substring of the 2021 本年处理决定数量: only the bare form is a 2019 marker.
        bare = any(lab.endswith("处理决定数量") and not lab.endswith("本年处理决定数量") for lab in labels)
        hits["2019"] = hits["2019"] or bare
    decided = [tpl for tpl, hit in hits.items() if hit]
    if not decided:
        decided = _fragment_votes(table, labels)  # headers wrapped over lines: `本年新制` / `作数量`
    # Only the row label is left: 规范性文件 not preceded by 行政 is 2019 (headers decide when present).
    if (not decided and table.key == "art20_1"
            and any(lab.endswith("规范性文件") and not lab.endswith("行政规范性文件") for lab in labels)):
        decided = ["2019"]
    if len(decided) == 1:
        return decided[0], True
    if len(table.measures) == 1:
        return next(iter(table.measures)), True
    if value_count is not None:
        by_width = [tpl for tpl, ms in table.measures.items() if len(ms) == value_count]
        if len(by_width) == 1:
            return by_width[0], False
    return "unknown", False


def _fragment_votes(table: DisclosureTable, labels: list[str]) -> list[str]:
    """Templates whose own header labels contain a header fragment (3+ characters) that the other
    template's headers do not: a wrapped header still names its template."""
    headers = {tpl: [p for m in ms for p in (m.label, *m.phrases)] for tpl, ms in table.measures.items()}
    votes: set[str] = set()
    for lab in labels:
        if len(lab) < 3:
            continue
        owners = [tpl for tpl, hs in headers.items() if any(lab in h for h in hs)]
        if len(owners) == 1:
            votes.add(owners[0])
    return sorted(votes)


def column_order(measures: tuple[Measure, ...], header_rows: list[list[str]]) -> tuple[Measure, ...]:
    """Measures in the order one header line prints them, else the template's order.

    Only a line that holds every measure's header says how the columns run: a header wrapped over several
    lines (PDF text) gives each label's position on its own line, which says nothing about the columns.
    """
    for labels in header_rows:
        positions: list[tuple[int, Measure]] = []
        for m in measures:
            idx = next((i for i, lab in enumerate(labels) if any(p in lab for p in m.phrases)), None)
            if idx is None:
                break
            positions.append((idx, m))
        else:
            if len({i for i, _ in positions}) == len(measures):
                return tuple(m for _, m in sorted(positions, key=lambda p: p[0]))
    return measures


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
        _place_rows(table, tpl, rows, labels, placer, wrapped=mode == "row")
    return templates


def _item(table: DisclosureTable, tpl: str, r: LogicalRow) -> ItemRow | None:
    label = strip_numbering(r.last_label)
    return next((it for it in table.rows[tpl] if any(p in label for p in it.phrases)), None)


def _place_rows(table: DisclosureTable, tpl: str, rows: list[LogicalRow], labels: list[str], placer: Placer, *,
                wrapped: bool) -> None:
    lines: dict[int, list[str]] = {}
    for r in rows:
        for t in r.labels:
            lines.setdefault(t.line, []).append(t.key)
    measures = column_order(table.measures[tpl], list(lines.values()))
    if wrapped:  # labels wrapped over physical rows (a row layout)
        rows = join_wrapped(rows, lambda r: bool(r.labels) and _item(table, tpl, r) is not None)
    columns = tuple(m.key for m in measures)
    kinds = tuple(m.kind for m in measures)
    for r in rows:
        values = r.values()
        if not values:
            continue
        item = _item(table, tpl, r)
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
