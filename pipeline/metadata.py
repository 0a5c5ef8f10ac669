"""Report metadata from the text around the tables: organisation, report year, publication date.

The report year is the year the statistics cover (the title's year, or the 统计期限), not the year it
was published: a report on 2023 is signed in January 2024 (seed 003).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.normalize import nfkc

_TITLE = re.compile(r"^(?P<org>.*?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?:政府|政务)?\s*信息公开")
_PROSE = re.compile(
    r"(?:公布|发布|编制|印发)(?:了)?(?P<org>[^,。;:、()《》]{2,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*"
    r"(?:政府|政务)?信息公开"
)
_PERIOD = re.compile(
    r"(?:统计期限|统计时限|统计期|数据统计)[^0-9]{0,12}(?P<year>(?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日"
)
_DATE_LINE = re.compile(r"^(?P<y>(?:19|20)\d{2})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日$")
_DATE_LABELLED = re.compile(
    r"(?:发布日期|发布时间|成文日期)\s*[:]?\s*(?P<y>(?:19|20)\d{2})\s*[-年/.]\s*(?P<m>\d{1,2})\s*[-月/.]\s*(?P<d>\d{1,2})"
)
# A page on one line (crawled text) has no title line and no signature line: the same facts are found inside
# the text, the title as an organisation (ideographs only) right before `YYYY年度…信息公开…报告`.
_TITLE_IN_TEXT = re.compile(
    r"(?P<org>[\u3400-\u9fff]{2,40}?)(?P<year>(?:19|20)\d{2})年度?(?:的)?(?:政府|政务)?信息公开(?:工作)?(?:年度)?报告"
)
_YEAR_IN_TEXT = re.compile(r"(?P<year>(?:19|20)\d{2})年度?(?:的)?(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:报告|年报)")
_SIGNED_IN_TEXT = re.compile(
    r"(?P<org>[\u3400-\u9fff]{2,30})\s*(?P<y>(?:19|20)\d{2})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"
)
_TEXT_FRONT, _TEXT_BACK = 4000, 400  # characters of a one-line page read for the title and the signature
_LONG_LINE = 1000  # a line this long holds a whole page
_ORG_SUFFIX = re.compile(r"(人民政府|政府|委员会|办公室|办公厅|局|厅|委|院|中心|街道办事处|街道|镇|乡|署|会)$")
_SPACES = re.compile(r"\s+")
# Markup left in the text: a page's source pasted or escaped into the report (`<!DOCTYPE html PUBLIC …>`,
# `&lt;!DOCTYPE html&gt;`, `<div class=…>`), and entities. None of it is part of a title, a name or a date:
# it is cut out of the lines before they are read (a line may end inside a tag: the rest of it goes too).
_MARKUP = re.compile(
    r"<!--.*?(?:-->|$)|<[!?/]?[A-Za-z][^<>\n]{0,400}(?:>|$)|&lt;.*?(?:&gt;|$)|&(?:[A-Za-z][A-Za-z0-9]{1,7}|#\d{1,7});",
    re.M,
)


@dataclass(frozen=True)
class Metadata:
    organization: str | None
    report_year: int | None
    published_on: str | None


def _clean_org(org: str) -> str | None:
    org = _SPACES.sub("", org).strip("#*_《》\"“” ")
    org = org.rsplit(":", 1)[-1]  # a field label before it (`标题: …` in a crawler's header block): no name has one
    org = re.sub(r"^(?:关于)", "", org)
    return org or None


def extract_metadata(lines: list[str], first_section_line: int | None) -> Metadata:
    """Read the title block (lines before the first section), the prose, and the closing signature."""
    head_end = first_section_line if first_section_line is not None else min(len(lines), 10)
    # NFKC of every line is most of this function's time: the first 60 lines are needed only for the period
    # (below, when no title names the year); the title, prose and signature read the first 15 and last 15.
    norm = _normalised(lines, max(head_end, 15), 15)
    head = [line for line in norm[:head_end] if line]
    org = year = None
    title = "".join(head[:3])
    m = _TITLE.search(_SPACES.sub("", title)) if title else None
    if m and m.group("org") and len(m.group("org")) <= 40:
        org, year = _clean_org(m.group("org")), int(m.group("year"))
    if org is None:
        text = "".join(norm[: max(head_end, 5)])
        m = _PROSE.search(_SPACES.sub("", text))
        if m and _ORG_SUFFIX.search(m.group("org")):  # `编制公布2021年…`: a verb is no organisation
            org, year = _clean_org(m.group("org")), year or int(m.group("year"))
    if year is None:
        m = _TITLE.search(_SPACES.sub("", title)) if title else None
        year = int(m.group("year")) if m else None
    if year is None:
        first = norm if head_end >= 60 else _normalised(lines, 60, 15)
        m = _PERIOD.search(_SPACES.sub("", "".join(first[:60])))
        year = int(m.group("year")) if m else None
    published, signer = _closing(norm)
    if org is None and signer:
        org = signer
    if None in (org, year, published) and any(len(line) > _LONG_LINE for line in lines[: max(head_end, 1) + 1]):
        org, year, published = _in_text("\n".join(lines), org, year, published)
    return Metadata(org, year, published)


def _in_text(text: str, org: str | None, year: int | None, published: str | None) -> tuple[str | None, int | None,
                                                                                          str | None]:
    """What the line rules missed on a page printed as one long line: title, year and signature inside it."""
    front, back = (_MARKUP.sub("", nfkc(part)) for part in (text[:_TEXT_FRONT], text[-_TEXT_BACK:]))
    m = _TITLE_IN_TEXT.search(front)
    if m and (org is None or year is None) and _ORG_SUFFIX.search(m.group("org")):
        org, year = org or _clean_org(m.group("org")), year or int(m.group("year"))
    if year is None:
        m = _YEAR_IN_TEXT.search(front) or _PERIOD.search(_SPACES.sub("", front))
        year = int(m.group("year")) if m else None
    signed = list(_SIGNED_IN_TEXT.finditer(back))
    if signed:
        last = signed[-1]
        published = published or _iso(last)
        org = org or (_clean_org(last.group("org")) if _ORG_SUFFIX.search(last.group("org")) else None)
    return org, year, published


def _normalised(lines: list[str], head: int, tail: int) -> list[str]:
    """The lines NFKC'd, markup cut out and trimmed; only the first `head` and last `tail` are read, the rest
    stay ""."""
    clean = [nfkc(line).strip().lstrip("#").strip() for line in lines[:head]]
    if len(lines) <= head:
        return _unmarked(clean)
    rest = lines[head:]
    kept = rest[-tail:]
    return _unmarked(clean + [""] * (len(rest) - len(kept)) + [nfkc(line).strip().lstrip("#").strip() for line in kept])


def _unmarked(lines: list[str]) -> list[str]:
    """The lines with markup cut out (`_MARKUP`): most lines hold no `<` or `&` and are kept as they are."""
    return [_MARKUP.sub("", x).strip().lstrip("#").strip() if "<" in x or "&" in x else x for x in lines]


def _closing(norm: list[str]) -> tuple[str | None, str | None]:
    """The publication date and signing body printed at the end (`北票市长皋乡人民政府` / `2025年1月16日`)."""
    tail = [line for line in norm[-8:] if line]
    for k in range(len(tail) - 1, -1, -1):
        m = _DATE_LINE.match(_SPACES.sub("", tail[k]))
        if m:
            signer = tail[k - 1] if k > 0 and _ORG_SUFFIX.search(tail[k - 1]) and len(tail[k - 1]) <= 30 else None
            return _iso(m), _clean_org(signer) if signer else None
    for line in norm[:15] + norm[-15:]:
        m = _DATE_LABELLED.search(line)
        if m:
            return _iso(m), None
    return None, None


def _iso(m: re.Match[str]) -> str | None:
    y, mo, d = int(m.group("y")), int(m.group("m")), int(m.group("d"))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"
