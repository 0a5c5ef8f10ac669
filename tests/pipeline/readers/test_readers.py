"""Format dispatch (issue 6): sniffed from the content, text unchanged, every format to the same contract."""

from __future__ import annotations

import json

import pytest

from pipeline import parse_bytes, parse_file
from pipeline.layout import text_grid
from pipeline.readers import read_document, sniff_format
from tests.support import SAMPLES
from tests.support import reader_truth as T
from tests.support import variants as V

RAW = SAMPLES


@pytest.mark.parametrize(
    ("name", "fmt"),
    [(T.HTML_2021.name, "html"), (T.HTML_2019.name, "html"), (T.DOCX_2021.name, "docx"), (T.PDF_2021.name, "pdf"),
     (T.SCANNED_PDF, "pdf")],
)
def test_sniff_fixtures(name, fmt):
    assert sniff_format(T.fixture_bytes(name)) == fmt


@pytest.mark.parametrize("seed", V.SEEDS)
def test_text_reports_read_exactly_as_before(seed):
    text = V.seed_text(seed)
    for enc in ("utf-8", "gb18030", "utf-16"):
        data = V.encode(text, enc)
        assert sniff_format(data) == "text"
        doc = read_document(data, f"{seed}.txt")
        assert doc.input_format == "text"
        assert doc.grid == text_grid(text)
        assert doc.lines == text.splitlines()


def test_the_content_decides_not_the_extension():
    page = T.fixture_bytes(T.HTML_2021)
    assert parse_bytes(page, file="saved-page.txt").input_format == "html"
    text = V.seed_text("001").encode("utf-8")
    assert parse_bytes(text, file="converted.html").input_format == "text"
    pdf = T.fixture_bytes(T.PDF_2021)
    assert parse_bytes(pdf, file="download.bin").input_format == "pdf"
    docx = T.fixture_bytes(T.DOCX_2021)
    assert parse_bytes(docx, file="attachment").input_format == "docx"


def test_same_report_same_cells_in_docx_and_pdf():
    a = parse_bytes(T.fixture_bytes(T.DOCX_2021), file="a.docx")
    b = parse_bytes(T.fixture_bytes(T.PDF_2021), file="b.pdf")
    strip = lambda r: sorted((c.table, c.row, c.column, c.value, c.raw, c.unit) for c in r.cells)  # noqa: E731
    assert strip(a) == strip(b)


@pytest.mark.parametrize("truth", [T.HTML_2021, T.DOCX_2021, T.PDF_2021], ids=lambda t: t.name)
def test_json_contract(truth):
    report = parse_bytes(T.fixture_bytes(truth), file=truth.name).to_dict()
    json.dumps(report, ensure_ascii=False)
    for key in ("file", "sha256", "encoding", "template", "report_year", "organization", "published_on",
                "cells", "findings", "input_format"):
        assert key in report
    assert set(report["cells"][0]) >= {"table", "row", "column", "value", "raw", "unit", "label_inferred"}


def test_raw_samples_of_every_format_parse():
    formats = {}
    for path in sorted(RAW.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            report = parse_file(path)
            formats.setdefault(report.input_format, []).append(path.name)
            assert not [f for f in report.findings if f.severity == "error"], path.name
    assert {"text", "html", "docx", "pdf"} <= set(formats)
