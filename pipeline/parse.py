"""One report, end to end: bytes → text → grid → sections → cells → identity checks → Report.

Each step is a pure function of its input (see docs/architecture in the README); this module only
wires them together and decides the report-level template and the table-level findings.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol

from pipeline.decoding import Replaced
from pipeline.grid_tables import GridTables
from pipeline.identities import blank_findings, check_identities
from pipeline.layout import Grid
from pipeline.metadata import extract_metadata
from pipeline.model import ParseError, Report
from pipeline.place import Placer
from pipeline.readers import read_document
from pipeline.runtogether import RunTogetherTables
from pipeline.sections import TABLE_SECTIONS
from pipeline.split_digits import suspect_split_numbers
from pipeline.templates import expected_tables

_SECTION_TABLES = {
    "disclosure": ("art20_1", "art20_5", "art20_6", "art20_8", "art20_9"),
    "applications": ("applications",),
    "review": ("review_litigation",),
}


class TableReader(Protocol):
    """How a document's tables are read: a grid's cells (`GridTables`) or run-together text
    (`RunTogetherTables`). Chosen once per document; everything else in a parse is shared."""

    layouts: list[str] | tuple[str, ...]

    def found(self) -> set[str]:
        """The table sections found: disclosure, applications, review."""

    def first_line(self) -> int | None:
        """0-based line where the first table section starts (the title block is above it)."""

    def second_report(self) -> str | None:
        """Where the tables of 二, 三 and 四 start again, with other contents, after the first set ended:
        a second report in the same file (None when there is none, or the set is only printed twice)."""

    def read_disclosure(self, placer: Placer) -> dict[str, str]:
        """Place section 二's cells; return the template of each 第二十条 table."""

    def application_template(self) -> str | None:
        """The application table's own template (2019 / 2021 / unknown), None when it has no rows."""

    def read_applications(self, template: str, placer: Placer) -> None:
        """Place the application table's cells under the given template."""

    def read_review(self, placer: Placer) -> None:
        """Place the review/litigation row."""

    def finish(self, placer: Placer) -> None:
        """Report what the reader left out that no table finding covers."""


def table_reader(grid: Grid, lines: list[str], input_format: str = "text") -> TableReader:
    """Run-together text when table rows share their cells with their values (spec §14), else the grid."""
    return RunTogetherTables.detect(grid, lines, text_file=input_format == "text") or GridTables(grid, lines)


def parse_bytes(data: bytes, file: str = "<bytes>") -> Report:
    """Parse one report (text, HTML, DOCX or PDF). Raises ParseError when the bytes are not a usable report."""
    sha = hashlib.sha256(data).hexdigest()
    doc = read_document(data, file)
    report = parse_grid(doc.grid, file=file, sha256=sha, encoding=doc.encoding, confidence=doc.confidence,
                        lines=doc.lines, input_format=doc.input_format, replaced=doc.replaced)
    return report


def parse_file(path: str | Path) -> Report:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError("unreadable", f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_bytes(data, file=str(path))


def parse_grid(grid: Grid, *, file: str, sha256: str, encoding: str, confidence: float,
               lines: list[str], input_format: str = "text", replaced: Replaced | None = None) -> Report:
    """Everything after the grid, shared by every input format."""
    reader = table_reader(grid, lines, input_format)
    sections = reader.found()
    if not sections & set(TABLE_SECTIONS):
        raise ParseError("not_a_report", "none of the report's table sections (二, 三, 四) was found")
    second = reader.second_report()
    if second is not None:
        # Refused, not read in part: the title would name the first report and the signature date the second,
        # and the warehouse keeps one report per file. Split the file to have both read.
        raise ParseError("several_reports", f"the file holds two reports: {second}; split it into one file per "
                         "report to have both read")
    meta = extract_metadata(lines, reader.first_line())
    placer = Placer()
    if replaced is not None:
        placer.find("warning", "bytes_replaced", replaced.describe(encoding),
                    line=replaced.lines[0] if input_format == "text" else None)
    table_templates = reader.read_disclosure(placer)
    app_template = reader.application_template()
    template = _report_template(table_templates, app_template or "unknown")
    if app_template is not None:
        tpl = app_template if app_template != "unknown" else template
        if tpl in ("2019", "2021"):
            if app_template == "unknown":
                placer.find("warning", "template_inferred",
                            f"applications: （六） rows do not mark the template; {tpl} taken from section 二",
                            table="applications")
            table_templates["applications"] = tpl
            reader.read_applications(tpl, placer)
        else:
            placer.find("warning", "template_unknown", "applications: the table's template cannot be told",
                        table="applications")
    reader.read_review(placer)
    reader.finish(placer)
    _missing_tables(placer, sections, template, table_templates)
    if template == "unknown":
        placer.find("warning", "template_unknown", "no table marks the report's template")
    elif template == "hybrid":
        placer.find("info", "template_hybrid", f"tables use different templates: {table_templates}")
    if meta.report_year is None:
        placer.find("warning", "report_year_missing", "no report year in the title or the statistics period")
    if meta.organization is None:
        placer.find("warning", "organization_missing", "no organisation in the title, prose or signature")

    identity_template = table_templates.get("applications", template)
    checks, identity_findings = check_identities(placer.cells, identity_template, placer.values)
    identity_findings += blank_findings(placer.cells, identity_template, placer.blanks)
    return Report(
        file=file,
        sha256=sha256,
        encoding=encoding,
        encoding_confidence=confidence,
        template=template,
        report_year=meta.report_year,
        organization=meta.organization,
        published_on=meta.published_on,
        input_format=input_format,
        layout=_layout_name(list(reader.layouts)),
        table_templates=table_templates,
        cells=placer.cells,
        findings=placer.findings + identity_findings + suspect_split_numbers(placer.cells, checks, placer.findings),
        checks=checks,
    )


def _report_template(table_templates: dict[str, str], app_template: str) -> str:
    """Section 二 and 三 classified separately (spec §9.2): agree → it; one known → it; else hybrid."""
    sec2 = {t for t in table_templates.values() if t in ("2019", "2021")}
    sec2_tpl = sec2.pop() if len(sec2) == 1 else ("hybrid" if sec2 else "unknown")
    known = [t for t in (sec2_tpl, app_template) if t != "unknown"]
    if not known:
        return "unknown"
    if "hybrid" in known or len(set(known)) > 1:
        return "hybrid"
    return known[0]


def _missing_tables(placer: Placer, sections: set[str], template: str, table_templates: dict[str, str]) -> None:
    found = {c.table for c in placer.cells} | set(table_templates)
    # An unknown template may be either: every table of the 2019 format (a superset) is looked for.
    expected = expected_tables(template) if template in ("2019", "2021") else expected_tables("2019")
    if template == "hybrid":
        expected = tuple(t for t in expected_tables("2019") if t != "art20_9" or "art20_9" in found)
    for name, tables in _SECTION_TABLES.items():
        if name not in sections:
            placer.find("error", "section_missing", f"section {name} not found", table=tables[0])
        for table in tables:
            if table in expected and table not in found and not any(
                f.table == table and f.code == "table_missing" for f in placer.findings
            ):
                placer.find("error", "table_missing", f"{table} not found in the report", table=table)


def _layout_name(modes: list[str]) -> str | None:
    return "+".join(dict.fromkeys(modes)) or None
