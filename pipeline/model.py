"""The parsed report: cells, findings and identity checks (the JSON contract of spec §13).

Plain dataclasses, no behaviour beyond serialisation, so every stage can build them and every
consumer (CLI, warehouse, tests) reads the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

PARSER_VERSION = "0.5.0"  # bump when extraction output can change: the warehouse re-parses on change


@dataclass(slots=True)
class Cell:
    """One placed value. `raw` is the cell text as decoded; `line` is the 1-based source line."""

    table: str
    row: str
    column: str
    value: int | float | None
    raw: str
    unit: str | None = None
    label_inferred: bool = False
    line: int | None = None
    provenance: str = "positional"  # positional | label_inferred | split_by_identity

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _CELL_FIELDS}  # scalars: 20x cheaper than asdict


@dataclass(slots=True)
class Finding:
    """Something the parser or an identity check has to tell. `code` is stable; message is for people."""

    severity: str  # error | warning | info
    code: str
    message: str
    table: str | None = None
    row: str | None = None
    column: str | None = None
    line: int | None = None
    left: float | None = None
    right: float | None = None
    cells: list[list[str]] | None = None  # [[table, row, column], …] involved
    raw: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k in _FINDING_FIELDS if (v := getattr(self, k)) is not None or k in _FINDING_ALWAYS}


_FINDING_ALWAYS = {"severity", "code", "message", "table", "row", "column"}
_CELL_FIELDS = tuple(f.name for f in fields(Cell))
_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


@dataclass(slots=True)
class Check:
    """The outcome of one identity (spec §7) on one column or row: pass, fail or not_evaluable."""

    identity: str  # A1 | A2 | A3 | R1 | R2 | R3
    table: str
    target: str  # the column (A1, A2) or row (A3) or total column (R*) the identity is about
    status: str  # pass | fail | not_evaluable
    left: float | None
    right: float | None
    had_nulls: bool
    formula: str

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _CHECK_FIELDS}


_CHECK_FIELDS = tuple(f.name for f in fields(Check))


@dataclass
class Report:
    file: str
    sha256: str
    encoding: str
    encoding_confidence: float
    template: str  # 2019 | 2021 | hybrid | unknown
    report_year: int | None
    organization: str | None
    published_on: str | None
    input_format: str = "text"
    layout: str | None = None
    table_templates: dict[str, str] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    parser_version: str = PARSER_VERSION

    def to_dict(self, nested: bool = True) -> dict[str, Any]:
        """The JSON object of spec §13; `nested=False` keeps cells, findings and checks as objects."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "encoding": self.encoding,
            "encoding_confidence": self.encoding_confidence,
            "template": self.template,
            "report_year": self.report_year,
            "organization": self.organization,
            "published_on": self.published_on,
            "input_format": self.input_format,
            "layout": self.layout,
            "table_templates": self.table_templates,
            "parser_version": self.parser_version,
            "cells": [c.to_dict() for c in self.cells] if nested else self.cells,
            "findings": [f.to_dict() for f in self.findings] if nested else self.findings,
            "checks": [c.to_dict() for c in self.checks] if nested else self.checks,
        }

    def cell(self, table: str, row: str, column: str) -> Cell | None:
        """The placed cell at (table, row, column), or None."""
        for c in self.cells:
            if c.table == table and c.row == row and c.column == column:
                return c
        return None


class ParseError(Exception):
    """A file that is not a usable report. `code` is stable (for quarantine), message is one line."""

    def __init__(self, code: str, message: str):
        super().__init__(code, message)  # both in args, so the error survives pickling across processes
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
