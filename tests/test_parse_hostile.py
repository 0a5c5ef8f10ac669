"""Hostile inputs (issue 14): damaged bytes, absurd numbers, memory bombs, spliced reports, fuzzed seeds.

Each test states one rule: a file costs its own result only, a value is placed only where its text is
intact and plausible, and a refusal says why in plain words. The bombs are generated here (no large
binary is committed), and their peak memory is measured in a subprocess.
"""

from __future__ import annotations

import io
import json
import random
import re
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import variants as V

from pipeline import ParseError, parse_bytes
from pipeline.decoding import decode
from pipeline.normalize import parse_value

FIXTURES = V.FIXTURES
RT = (FIXTURES / "run_together" / "blank_glued_to_label.txt").read_text(encoding="utf-8")


def _cells(report) -> dict:
    return {(c.table, c.row, c.column): c for c in report.cells}


def _codes(report) -> list[str]:
    return [f.code for f in report.findings]


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


# ------------------------------------------------------------------------------------------------
# 1. A few bad bytes: decoded with U+FFFD, reported, and no value read from them
# ------------------------------------------------------------------------------------------------


def _inject(text: str, marker: str, junk: bytes, enc: str = "utf-8", after: bool = False) -> bytes:
    data = text.encode(enc)
    i = data.index(marker.encode(enc)) + (len(marker.encode(enc)) if after else 0)
    return data[:i] + junk + data[i:]


def test_one_bad_byte_in_the_prose_loses_nothing():
    text = V.seed_text("001")
    clean = parse_bytes(text.encode(), "001.txt")
    report = parse_bytes(_inject(text, "(二)依申请", b"\xff"), "001.txt")
    assert report.encoding == "utf-8" and report.encoding_confidence < 1
    [finding] = _findings(report, "bytes_replaced")
    line = text[: text.index("(二)依申请")].count("\n") + 1
    assert finding.line == line and f"line {line}" in finding.message and "1 byte(s) in 1 place(s)" in finding.message
    assert {k: c.value for k, c in _cells(report).items()} == {k: c.value for k, c in _cells(clean).items()}
    assert report.organization == clean.organization and report.report_year == clean.report_year


def test_a_bad_byte_inside_a_value_cell_leaves_that_cell_out():
    text = V.make_variant("000").text
    line = next(i for i, x in enumerate(text.splitlines()) if x.startswith("行政处罚"))
    row = text.splitlines()[line]
    first_value = row.split("|")[1].strip()
    damaged = row.replace(first_value, first_value[0] + "\udcff" + first_value[1:], 1)
    data = text.replace(row, damaged).encode("utf-8", "surrogateescape")
    report = parse_bytes(data, "000.txt")
    assert "art20_6" in report.table_templates
    assert ("art20_6", "penalty", "prev_year_items") not in _cells(report)
    [finding] = _findings(report, "value_undecodable")
    assert (finding.table, finding.row, finding.column) == ("art20_6", "penalty", "prev_year_items")
    assert _cells(report)[("art20_6", "penalty", "items_change")].value is not None  # the row's other cells stay


def test_a_run_together_digit_run_touching_a_bad_byte_is_not_split():
    # `行政许可0` → `行政许可0<bad>`: the byte may have been a second digit; the run is left out, not read as 0.
    data = _inject(RT, "行政许可0", b"\xfe", after=True)
    report = parse_bytes(data, "rt.txt")
    assert report.layout == "run_together"
    assert ("art20_5", "licensing", "decisions") not in _cells(report)
    assert any(f.row == "licensing" for f in _findings(report, "value_undecodable"))
    assert _findings(report, "bytes_replaced")


def test_a_bad_byte_inside_an_application_row_of_run_together_text():
    data = _inject(RT, "（七）总计0123", b"\x80", after=True)
    report = parse_bytes(data, "rt.txt")
    assert not [k for k in _cells(report) if k[:2] == ("applications", "total")]
    assert any(f.row == "total" for f in _findings(report, "value_undecodable"))


def test_gb18030_with_one_bad_byte_is_read_with_a_finding():
    text = V.seed_text("003")
    clean = parse_bytes(text.encode("gb18030"), "003.txt")
    report = parse_bytes(_inject(text, "二、主动公开", b"\xff", enc="gb18030"), "003.txt")
    assert report.encoding == "gb18030"
    assert _findings(report, "bytes_replaced")
    assert {k: c.value for k, c in _cells(report).items()} == {k: c.value for k, c in _cells(clean).items()}


def test_a_utf8_html_page_with_a_bad_byte():
    page = (FIXTURES / "html" / "wandong_2019_layout.html").read_bytes()
    clean = parse_bytes(page, "p.html")
    i = page.index("第二十条".encode())
    report = parse_bytes(page[:i] + b"\xc3" + page[i:], "p.html")
    assert report.input_format == "html" and _findings(report, "bytes_replaced")
    assert len(report.cells) == len(clean.cells)


@pytest.mark.parametrize("share", [0.02, 0.3])
def test_a_file_that_is_mostly_garbage_is_still_undecodable(share):
    text = V.seed_text("001")
    data = bytearray(text.encode())
    rng = random.Random(1)
    for i in rng.sample(range(len(data)), int(len(data) * share)):
        data[i] = 0xFF
    with pytest.raises(ParseError) as err:
        parse_bytes(bytes(data), "x.txt")
    assert err.value.code == "undecodable"


def test_more_than_the_allowed_places_is_undecodable():
    text = V.seed_text("001") * 4  # long enough that 120 bad bytes stay under 1 %
    data = text.encode()
    step = len(data) // 121
    damaged = b"".join(data[i:i + step] + b"\xff" for i in range(0, step * 120, step)) + data[step * 120:]
    with pytest.raises(ParseError) as err:
        decode(damaged)
    assert err.value.code == "undecodable"


def test_a_replacement_character_cell_is_a_value_of_unknown_number():
    assert parse_value("1\ufffd2").replaced and parse_value("\ufffd").replaced
    assert parse_value("行政\ufffd可") is None  # a label with a damaged ideograph stays a label


# ------------------------------------------------------------------------------------------------
# 2. Absurd numbers: a finding, never a crash
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [16, 309, 400, 5000])
def test_an_implausible_value_is_a_finding_not_a_crash(digits):
    text = V.seed_text("000")
    huge = "9" * digits
    data = text.replace("一、本年新收政府信息公开申请数量  | 0", f"一、本年新收政府信息公开申请数量  | {huge}", 1)
    report = parse_bytes(data.encode(), "000.txt")
    assert ("applications", "new_received", "natural_person") not in _cells(report)
    [finding] = _findings(report, "implausible_value")
    assert finding.row == "new_received" and f"{digits} digits" in finding.message
    json.dumps(report.to_dict())  # the contract serialises (no 5000-digit integer, no float overflow)


def test_fifteen_digits_are_still_a_value():
    text = V.seed_text("000").replace("行政许可  | 0", "行政许可  | 999999999999999", 1)
    report = parse_bytes(text.encode(), "000.txt")
    assert _cells(report)[("art20_5", "licensing", "prev_year_items")].value == 999_999_999_999_999


# ------------------------------------------------------------------------------------------------
# 3. A 3 MB line of digits: refused in well under a second, with its reason
# ------------------------------------------------------------------------------------------------

MB3 = "7" * 3_000_000


@pytest.mark.parametrize(
    ("name", "text", "code"),
    [
        ("run-together licensing row", RT.replace("行政许可0", "行政许可" + MB3), "run_too_long"),
        ("run-together application row", RT.replace("一、本年新收政府信息公开申请数量无579215300302",
                                                    "一、本年新收政府信息公开申请数量" + MB3), "run_too_long"),
        ("grid cell", V.seed_text("000").replace("行政许可  | 0", "行政许可  | " + MB3, 1), "implausible_value"),
        ("grid application cell", V.seed_text("000").replace("一、本年新收政府信息公开申请数量  | 0",
                                                             "一、本年新收政府信息公开申请数量  | " + MB3, 1),
         "implausible_value"),
    ],
    ids=lambda x: x if isinstance(x, str) and len(x) < 40 else None,
)
def test_a_3mb_line_of_digits_is_refused_fast(name, text, code):
    start = time.perf_counter()
    report = parse_bytes(text.encode(), "big.txt")
    elapsed = time.perf_counter() - start
    assert elapsed < 5, f"{name}: {elapsed:.1f} s"  # 0.4 s measured; was 262 s to hours
    [finding] = _findings(report, code)
    assert len(finding.message) < 600 and len(finding.raw or "") < 100  # named by its length, not printed


def test_the_solver_stays_bounded_on_long_adversarial_runs():
    from pipeline.runtogether.solve import solve_applications, solve_review
    from pipeline.runtogether.splits import max_run_length

    rng = random.Random(5)
    runs = {r: "".join(rng.choice("01") for _ in range(40)) for r in
            ("new_received", "carried_over", "granted", "total", "carried_forward")}
    start = time.perf_counter()
    solve_applications(runs, "2021")  # 19.5 s before the A1/A2 pair caps
    solve_review("".join(rng.choice("0123456789") for _ in range(max_run_length(15))))
    assert time.perf_counter() - start < 10


# ------------------------------------------------------------------------------------------------
# 4. Memory bombs: each refused from what it declares, at a bounded peak memory
# ------------------------------------------------------------------------------------------------


def _docx_bomb(path: Path, megabytes: int = 100) -> None:
    """A Word package whose document.xml inflates to `megabytes` MB of paragraphs (about 100 KB on disk)."""
    para = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>" * 1000
    ns = "http://schemas.openxmlformats.org"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", f'<?xml version="1.0"?><Types xmlns="{ns}/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
                   'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                   "</Types>")
        z.writestr("_rels/.rels", f'<?xml version="1.0"?><Relationships xmlns="{ns}/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{ns}/officeDocument/2006/relationships/officeDocument" '
                   'Target="word/document.xml"/></Relationships>')
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/'
                    b'2006/main"><w:body>')
            for _ in range(megabytes * (1 << 20) // len(para)):
                f.write(para)
            f.write(b"</w:body></w:document>")


def _html_bomb(path: Path) -> None:
    """28 KB of HTML whose one table would expand to half a billion cells."""
    rows = "".join('<tr><td rowspan="1000" colspan="1000">0</td></tr>' for _ in range(600))
    path.write_text(f"<html><body><h1>二、主动公开政府信息情况</h1><table><tr><td>第二十条第（一）项</td></tr>{rows}"
                    "</table></body></html>", encoding="utf-8")


def _pdf(pages: list[tuple[int, int, list[str]]], compress: bool = False) -> bytes:
    """A hand-written PDF (Helvetica text): pages of (width, height, lines)."""
    objs: list[bytes] = [b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    contents = []
    for _, h, lines in pages:
        ops = b"BT /F1 10 Tf 12 TL 20 %d Td " % (h - 30) + b" ".join(b"(%s) Tj T*" % x.encode() for x in lines) + b" ET"
        if compress:
            ops = zlib.compress(ops, 9)
            objs.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(ops), ops))
        else:
            objs.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(ops), ops))
        contents.append(len(objs))
    parent = len(objs) + len(pages) + 1
    kids = []
    for (w, h, _), content in zip(pages, contents, strict=True):
        objs.append(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                    b"/Resources << /Font << /F1 1 0 R >> >> >>" % (parent, w, h, content))
        kids.append(len(objs))
    objs.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    objs.append(b"<< /Type /Catalog /Pages %d 0 R >>" % parent)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, len(objs), xref)
    return bytes(out)


def _pdf_bomb(path: Path) -> None:
    """40 pages of 200,000 × 200,000 points: laid out as text, each page is gigabytes of spaces."""
    path.write_bytes(_pdf([(200_000, 200_000, ["report 2024"] * 3)] * 40))


_PEAK = """
import json, resource, sys
from pathlib import Path
from pipeline import ParseError, parse_bytes
from pipeline.batch import parse_paths
paths = [Path(p) for p in sys.argv[1:]]
out = {str(p): getattr(r, "code", "report") for p, r in parse_paths(paths, workers=1, timeout=120)}
try:  # the bomb again, in this process: its peak memory is what a worker's would be
    parse_bytes(paths[0].read_bytes(), paths[0].name)
except ParseError:
    pass
try:  # this process's own high-water mark (ru_maxrss would carry over the forking pytest's, across exec)
    status = Path("/proc/self/status").read_text()
    peak = int(next(x for x in status.splitlines() if x.startswith("VmHWM")).split()[1]) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"results": out, "peak_mb": peak}))
"""


@pytest.mark.parametrize("make", [_docx_bomb, _html_bomb, _pdf_bomb], ids=["docx-zip-bomb", "html-spans", "pdf-pages"])
def test_a_bomb_costs_its_file_only_at_a_bounded_peak(make, tmp_path):
    bomb = tmp_path / {"_docx_bomb": "bomb.docx", "_html_bomb": "bomb.html", "_pdf_bomb": "bomb.pdf"}[make.__name__]
    make(bomb)
    assert bomb.stat().st_size < 2_000_000
    good = tmp_path / "good.txt"
    good.write_text(V.seed_text("001"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _PEAK, str(bomb), str(good)], capture_output=True, text=True,
                          timeout=300, check=True)
    result = json.loads(proc.stdout)
    assert result["results"] == {str(bomb): "too_complex", str(good): "report"}
    assert result["peak_mb"] < 400, result  # measured 30-70 MB; before: 2.1 GB, 13.4 GB, 14 GB (MemoryError)
    assert proc.stderr == ""


def test_the_bombs_are_real_documents_when_small(tmp_path):
    # The same package with 1 MB of paragraphs is a Word document python-docx reads (it holds no report).
    _docx_bomb(tmp_path / "small.docx", megabytes=1)
    with pytest.raises(ParseError) as err:
        parse_bytes((tmp_path / "small.docx").read_bytes(), "small.docx")
    assert err.value.code == "not_a_report"


def test_the_refusals_name_the_limit(tmp_path):
    _docx_bomb(tmp_path / "b.docx", megabytes=70)
    with pytest.raises(ParseError, match=r"would inflate to 70 MB") as err:
        parse_bytes((tmp_path / "b.docx").read_bytes(), "b.docx")
    assert err.value.code == "too_complex"
    _html_bomb(tmp_path / "b.html")
    with pytest.raises(ParseError, match=r"expands to .* cells once its merged cells are spread"):
        parse_bytes((tmp_path / "b.html").read_bytes(), "b.html")
    with pytest.raises(ParseError, match=r"page 1 of the PDF is 200,000 × 200,000 points"):
        parse_bytes(_pdf([(200_000, 200_000, ["x"])]), "b.pdf")
    crowded = _pdf([(612, 792, ["0123456789" * 10] * 600)] * 2, compress=True)  # 60,000 characters a page
    with pytest.raises(ParseError, match=r"page 1 of the PDF holds .* characters"):
        parse_bytes(crowded, "c.pdf")


def test_an_html_page_with_a_million_tags_is_refused_before_parsing():
    page = b"<html><body><p>" + b"<b></b>" * 1_000_001 + b"</p></body></html>"
    with pytest.raises(ParseError, match=r"holds 2,000,0\d\d tags") as err:
        parse_bytes(page, "tags.html")
    assert err.value.code == "too_complex"


def test_a_text_of_a_million_lines_is_refused():
    with pytest.raises(ParseError) as err:
        parse_bytes(V.seed_text("001").encode() + b"0\n" * 1_000_000, "lines.txt")
    assert err.value.code == "too_complex" and "lines" in err.value.message


# ------------------------------------------------------------------------------------------------
# 7. Results that look right but are not
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [("000", "001"), ("003", "004"), ("002", "002-variant")])
def test_two_reports_in_one_file_are_refused(first, second):
    text_b = V.make_variant("002").text if second == "002-variant" else V.seed_text(second)
    data = (V.seed_text(first) + "\n" + text_b).encode()
    with pytest.raises(ParseError) as err:
        parse_bytes(data, "two.txt")
    assert err.value.code == "several_reports"
    assert "two reports" in err.value.message and "split it" in err.value.message


def test_two_run_together_reports_in_one_file_are_refused_even_on_one_line():
    other = (FIXTURES / "run_together" / "blank_hides_a3.txt").read_text(encoding="utf-8")
    for data in (RT + "\n" + other, RT.replace("\n", " ") + " " + other.replace("\n", " ")):
        with pytest.raises(ParseError) as err:
            parse_bytes(data.encode(), "two.txt")
        assert err.value.code == "several_reports"


@pytest.mark.parametrize("seed", ["000", "003"])
def test_one_report_printed_twice_is_one_report(seed):
    text = V.seed_text(seed)
    once = parse_bytes(text.encode(), "once.txt")
    twice = parse_bytes((text + "\n" + text).encode(), "twice.txt")
    assert {k: c.value for k, c in _cells(twice).items()} == {k: c.value for k, c in _cells(once).items()}


@pytest.mark.parametrize("doctype", [
    '&lt;!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"&gt;',
    "&lt;!DOCTYPE html&gt;",
])
def test_a_doctype_printed_in_the_text_is_no_part_of_the_organisation(doctype):
    page = (f"<p>{doctype}</p>" if "PUBLIC" in doctype else doctype) + "\n"
    for data in ((page + V.seed_text("000")).encode(),
                 (V.FIXTURES / "html" / "wandong_2019_layout.html").read_bytes().replace(
                     b"<body topmargin=0>", b"<body topmargin=0><p>" + doctype.encode() + b"</p>", 1)):
        report = parse_bytes(data, "page.txt")
        assert report.organization in ("浈江区花坪镇", "万东镇人民政府"), report.organization


def _deep_page(depth: int) -> bytes:
    page = (FIXTURES / "html" / "wandong_2019_layout.html").read_bytes()
    return page.replace(b"<body topmargin=0>", b"<body topmargin=0>" + b"<div>" * depth, 1)


def test_html_nested_past_the_parsers_usual_limit_is_read():
    shallow = parse_bytes(_deep_page(10), "p.html")
    deep = parse_bytes(_deep_page(400), "p.html")  # libxml2 stops at 255 levels without huge_tree
    assert len(deep.cells) == len(shallow.cells) > 150
    assert deep.organization == shallow.organization


def test_html_nested_deeper_than_any_parser_reads_is_too_deep():
    with pytest.raises(ParseError) as err:
        parse_bytes(_deep_page(2100), "p.html")
    assert err.value.code == "too_deep" and "levels" in err.value.message


# ------------------------------------------------------------------------------------------------
# 7. Fuzzed seeds: every value that differs from the seed's own parse is reported or read as printed
# ------------------------------------------------------------------------------------------------

# What a mutation of one byte or one cell can do that no parser can see, and which the oracle below
# therefore accepts as a read of the mutated text (each checked to be printed where the cell says):
#
# * a digit changed to another digit where no identity reads the cell (section 二), or where it keeps
#   every identity that reads it (two changes that compensate);
# * a value of section 二 replaced by a printed blank (`-`, `/`, `无`): section 二 has no identity, so the
#   blank is read as printed (in sections 三 and 四 every blank gets a `blank_cells` finding);
# * in run-together text, a digit of a section 二 run lost to a letter or a space: the shorter run may
#   have a single split, which is placed (`行政处罚0120` → `行政处罚012a` reads 0, 1, 2).
_CELL_TEXTS = ["", " ", "a", "O", "l", "-", "/", "无", "1 0", "00", "０", "x0", "9", "10", "+1", "-1", "0.5", "\ufffd"]


def _covered(report, key) -> bool:
    """A finding names the cell, or its row, or (naming no cells) its whole table."""
    for f in report.findings:
        if f.cells:
            if list(key) in f.cells or [key[0], key[1], "*"] in f.cells:
                return True
        elif f.table == key[0] and f.row in (key[1], None):
            return True
    return False


def _printed(cell, lines: list[str], touched: set[int], base_raws: set[str]) -> bool:
    """The cell reads text printed on a line the mutation touched, and is not a neighbour's value moved in."""
    v = parse_value(cell.raw)
    if v is None or cell.line not in touched or cell.raw.strip() not in lines[cell.line - 1]:
        return False
    if v.value is None:  # a printed blank: only where no identity reads the cell
        return cell.table.startswith("art20")
    return cell.value is not None and float(v.value) == float(cell.value) and cell.raw not in base_raws


def _mutate(text: str, rng: random.Random) -> tuple[bytes, set[int], str]:
    """1-3 mutations of bytes or whole cells inside the tables; (bytes, lines touched, description)."""
    touched: set[int] = set()
    how = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        if rng.random() < 0.5:
            m = rng.choice(V.numeric_cells(text))
            new = rng.choice([*_CELL_TEXTS, str(rng.randint(0, 99))])
            touched.add(text.count("\n", 0, m.start()) + 1)
            how.append(f"cell {m.group(0)!r} line {min(touched)} → {new!r}")
            text = text[:m.start()] + new + text[m.end():]
            continue
        data = bytearray(text.encode())
        start, end = (len(text[:i].encode()) for i in V.table_region(text))
        digits = [k for k in range(start, end) if 48 <= data[k] <= 57]
        op = rng.choice(("digit", "letter", "set", "del", "ins"))
        i = rng.choice(digits) if op in ("digit", "letter") else rng.randrange(start, end)
        touched.add(data.count(b"\n", 0, i) + 1)
        if op == "digit":
            data[i] = rng.choice([c for c in range(48, 58) if c != data[i]])
        elif op == "letter":
            data[i] = rng.choice(b"aOlxZ \t|")
        elif op == "set":
            data[i] = rng.randrange(256)
        elif op == "del":
            del data[i]
        else:
            data.insert(i, rng.randrange(256))
        how.append(f"byte {op} at {i}")
        return bytes(data), touched, "; ".join(how)
    return text.encode(), touched, "; ".join(how)


def test_fuzzed_seeds_never_change_a_value_silently():
    rng = random.Random(14)
    bases = {}
    for seed in V.SEEDS:
        for text in (V.seed_text(seed), V.make_variant(seed).text):
            bases[text] = parse_bytes(text.encode(), f"{seed}.txt")
    texts = list(bases)
    silent, refused = [], 0
    for _ in range(300):
        text = rng.choice(texts)
        base = bases[text]
        data, touched, how = _mutate(text, rng)
        try:
            report = parse_bytes(data, "fuzz.txt")
        except ParseError:
            refused += 1  # a refusal is never silent
            continue
        lines = data.decode("utf-8", "replace").splitlines()
        before, after = _cells(base), _cells(report)
        for key in before.keys() | after.keys():
            x, y = before.get(key), after.get(key)
            if x is not None and y is not None and x.value == y.value:
                continue
            row_raws = {c.raw for k, c in before.items() if k[:2] == key[:2] and k != key}
            if _covered(report, key) or (y is not None and _printed(y, lines, touched, row_raws)):
                continue
            silent.append(f"{how}: {key} {x and (x.value, x.raw)} → {y and (y.value, y.raw, y.line)}")
    assert not silent, "\n".join(silent[:20])
    assert refused < 100


@pytest.mark.parametrize("blank", ["-", "", "无"])
def test_a_zero_lost_to_a_blank_in_an_identity_row_is_reported(blank):
    text = V.seed_text("000")
    line = next(x for x in text.splitlines() if x.startswith("一、本年新收"))
    cells = line.split("|")
    cells[2] = cells[2].replace("0", blank)
    report = parse_bytes(text.replace(line, "|".join(cells)).encode(), "000.txt")
    assert _cells(report)[("applications", "new_received", "commercial_enterprise")].value is None
    [finding] = _findings(report, "blank_cells")
    assert finding.row == "new_received" and finding.cells == [["applications", "new_received",
                                                                "commercial_enterprise"]]
    assert "A1 holds only if it is 0" in finding.message and "A3 holds only if it is 0" in finding.message


# ------------------------------------------------------------------------------------------------
# 6. The command line: one line per failed file on stderr, nothing else
# ------------------------------------------------------------------------------------------------

_CLI = textwrap.dedent("""
    import os, sys, time
    import pipeline.batch as batch
    real = batch.parse_file
    def parse_file(path):
        if path.name.startswith("crash"):
            os._exit(3)  # the worker dies, as in a segfault of a C extension or the OOM killer
        if path.name.startswith("hang"):
            time.sleep(120)
        return real(path)
    batch.parse_file = parse_file
    from pipeline.cli import main
    sys.exit(main(sys.argv[1:]))
""")
_REASON = re.compile(r"^\S.*: [a-z_]+: \S.*$")


def test_the_cli_survives_a_crashing_and_a_hanging_file(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k, seed in enumerate(V.SEEDS):
        (folder / f"{k}_{seed}.txt").write_text(V.seed_text(seed), encoding="utf-8")
    (folder / "crash.txt").write_text(V.seed_text("000"), encoding="utf-8")
    (folder / "hang.txt").write_text(V.seed_text("000"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", _CLI, "parse", str(folder), "--timeout", "8", "--workers", "2"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert len([json.loads(x) for x in proc.stdout.splitlines()]) == len(V.SEEDS)
    errors = proc.stderr.splitlines()
    assert sorted(e.split(": ")[1] for e in errors) == ["parse_timeout", "parser_crash"], proc.stderr
    assert all(_REASON.match(e) for e in errors)


def test_the_cli_stderr_holds_only_the_reasons(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for pdf in (FIXTURES / "pdf").glob("*.pdf"):  # LibreOffice PDFs: pdfminer logged `Could not get FontBBox…`
        (folder / pdf.name).write_bytes(pdf.read_bytes())
    ruled = (FIXTURES / "pdf" / "quantang_2022_ruled.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(ruled[: len(ruled) // 2])
    (folder / "noise.txt").write_bytes(b"\x80\xff" * 50 + b"abc")  # chardet: `no_match_encoding … excluded`
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(folder)], capture_output=True,
                          text=True, timeout=300)
    errors = proc.stderr.splitlines()
    assert all(_REASON.match(e) for e in errors), proc.stderr[:2000]
    reasons = {Path(e.split(": ")[0]).name: e for e in errors}
    assert set(reasons) == {"truncated.pdf", "noise.txt", "scanned_no_text_layer.pdf", "encrypted_password.pdf"}
    assert "truncated" in reasons["truncated.pdf"] and "PSEOF" not in reasons["truncated.pdf"]


def test_parse_paths_memory_limit_is_forwarded(tmp_path):
    # The pool's own limits are tested in test_batch_limits.py; here: the CLI's --max-memory reaches it.
    from pipeline import cli

    seen = {}

    def fake(paths, **kw):
        seen.update(kw)
        return iter(())

    original = cli.parse_paths
    cli.parse_paths = fake
    try:
        assert cli.main(["parse", str(tmp_path), "--max-memory", "512", "--timeout", "7"]) == 0
    finally:
        cli.parse_paths = original
    assert seen["memory_limit"] == 512 << 20 and seen["timeout"] == 7


def test_a_bomb_in_a_word_package_is_refused_before_python_docx_reads_it(tmp_path):
    buf = io.BytesIO()
    _docx_bomb(tmp_path / "b.docx", megabytes=70)
    buf.write((tmp_path / "b.docx").read_bytes())
    start = time.perf_counter()
    with pytest.raises(ParseError):
        parse_bytes(buf.getvalue(), "b.docx")
    assert time.perf_counter() - start < 1  # the directory alone decides: nothing is inflated
