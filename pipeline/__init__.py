"""Parsing core for 政府信息公开工作年度报告: raw bytes in, exact and traceable cells out.

Pure library: no Dagster here. The public entry points are `parse_bytes` and `parse_file`, which
return a `Report` (spec §13 via `Report.to_dict()`) or raise `ParseError` for a file that is not a
usable report (empty, binary, undecodable, not a report; every code in docs/parser.md).

"spec §N" in the docstrings cites the format specification the project started from, which lives outside
the repository; docs/spec-sections.md says where each section is declared or implemented here.
"""

from pipeline.model import PARSER_VERSION, Cell, Check, Finding, ParseError, Report
from pipeline.parse import parse_bytes, parse_file

__all__ = [
    "PARSER_VERSION",
    "Cell",
    "Check",
    "Finding",
    "ParseError",
    "Report",
    "parse_bytes",
    "parse_file",
]
