"""Cutting crawled text into labels and digit runs (spec §14, §15).

Crawled text keeps no cell delimiters: `规章000规范性文件1077` is two labels, each followed by the run of
its row's digits. A run keeps its inner whitespace as single spaces: each marks a cut the splitter
respects (a space inside a number is a hypothesis the solver weighs, `pipeline.runtogether.solve`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.normalize import label_key


@dataclass(frozen=True)
class Piece:
    """A label or a digit run of a crawled cell. `text` is NFKC (runs: single spaces mark known cuts)."""

    kind: str  # label | run
    text: str
    raw: str  # the slice of the input it came from (a run's raw includes its unit)
    start: int  # offsets into the input
    end: int
    unit: str | None = None  # 元 / 万元 written right after a run
    touched: bool = False  # a run next to a U+FFFD (bytes lost in decoding): its digits are not all known

    @property
    def key(self) -> str:
        """The label-matching form (normalize.label_key) of a label; "" for a run."""
        return label_key(self.text) if self.kind == "label" else ""

    @property
    def digits(self) -> int:
        return sum(c.isdigit() for c in self.text)


_DIGITS = frozenset("0123456789")
_RUN_CHARS = re.compile(r"[0-9.+\-—–/\s]+")  # digits, run signs and whitespace (str.isspace)
# `无` directly before a digit is a blank cell inside the run (`…数量无579…`, `…0无4.…`); before anything else
# it is label text: `4.无正当理由大量反复申请` is a row label of the 2021 template.
_BLANK_BEFORE_DIGIT = re.compile(r"无(?=[0-9])")
# Digits that belong to a label, never to a value: anything in parentheses (`(2)`, `(指2019年事项数)`),
# years, dates and article numbers.
_LABEL_ONLY = re.compile(r"\([^()]*\)|(?:19|20)\d{2}年|(?<=年)\d{1,2}月|(?<=月)\d{1,2}日|第\d+[条项款章节]")
_UNITS = ("万元", "元", "笔", "件", "项", "个")  # money, or a count word written after a cell
_REPLACEMENT = "\ufffd"  # put in place of bytes the decoding could not decode (`pipeline.decoding`)


class _NfkcOneToOne(dict):
    """str.translate table: each character → its NFKC form when that is one character, else a sentinel."""

    def __missing__(self, code: int) -> str:
        norm = unicodedata.normalize("NFKC", chr(code))
        self[code] = norm if len(norm) == 1 else _MULTI
        return self[code]


_MULTI = "\uffff"  # a noncharacter: marks a character whose NFKC form is not one character
_ONE_TO_ONE = _NfkcOneToOne()


def _nfkc_mapped(text: str) -> tuple[str, Sequence[int]]:
    """NFKC per character, with the raw offset of every normalised character (and one past the end).

    Almost every character normalises to one character (full-width → ASCII), so offsets are the
    identity: one C-level translate. Only text holding a `㈠`-like character is mapped per character.
    """
    s = text.translate(_ONE_TO_ONE)
    if _MULTI not in s:
        return s, range(len(text) + 1)
    chars: list[str] = []
    src: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            chars.append(c)
            src.append(i)
    src.append(len(text))
    return "".join(chars), src


def _list_number(body: str) -> int:
    """Length of the list number `N` ending `body` (a single digit 1–9: the tables count to 8), or 0."""
    return 1 if body and body[-1] in "123456789" else 0


@lru_cache(maxsize=4096)  # the same cells are cut to detect the layout, the template and the runs
def cut_runs(text: str) -> tuple[Piece, ...]:
    """Cut a crawled cell into label and digit-run pieces, in order.

    A trailing `N.` or `N、` before a label is that label's list number (`…00000002.其他法律…` → run `0000000`,
    label `2.其他法律…`); digits inside parentheses, years and dates stay in their label. Whitespace inside
    a run is kept as a single space: it marks a cut the splitter must respect.
    """
    s, src = _nfkc_mapped(text)
    # Characters that must stay in their label are masked (same length, so offsets hold).
    masked = _LABEL_ONLY.sub(lambda m: "\x01" * len(m.group()), s)
    masked = _BLANK_BEFORE_DIGIT.sub("/", masked)  # a run sign for the cutting; the run keeps its 无
    runs: list[tuple[int, int, int, str | None]] = []  # (start, end, end incl. unit, unit)
    for m in _RUN_CHARS.finditer(masked):
        span = _run_span(s, m.start(), m.end())
        if span is not None:
            runs.append(span)
    pieces: list[Piece] = []
    prev = 0
    lost = _REPLACEMENT in s
    for a, b, after, unit in runs:
        _label(pieces, text, s, src, prev, a)
        body = re.sub(r"\s+", " ", s[a:b])
        pieces.append(Piece("run", body, text[src[a] : src[after]], src[a], src[after], unit,
                            lost and _touches_replacement(s, a, after)))
        prev = after
    _label(pieces, text, s, src, prev, len(s))
    return tuple(pieces)


def _run_span(s: str, i: int, j: int) -> tuple[int, int, int, str | None] | None:
    """The value part of the run-character segment s[i:j], or None when it holds no value."""
    a, b = i, j
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    followed = j < len(s)  # a label follows the segment
    trimmed = False
    if followed and s[j] == "、" and b == j:
        n = _list_number(s[a:b])
        b -= n
        trimmed = n > 0
    elif b > a and s[b - 1] == ".":
        n = _list_number(s[a : b - 1]) if followed else 0
        b -= n + 1
        trimmed = True
    while b > a and s[b - 1].isspace():
        b -= 1
    while a < b and s[a] == ".":
        a += 1
    if not any(c in _DIGITS for c in s[a:b]):
        return None
    after, unit = b, None
    if not trimmed:
        k = b
        while k < len(s) and s[k] == " ":
            k += 1
        for u in _UNITS:
            if s.startswith(u, k):
                after, unit = k + len(u), u
                break
    return a, b, after, unit


def _touches_replacement(s: str, a: int, b: int) -> bool:
    """s[a:b] holds a U+FFFD or meets one across spaces: a lost byte may have been a digit of the run, or
    the label or sign that bounded it."""
    i = a
    while i > 0 and s[i - 1].isspace():
        i -= 1
    j = b
    while j < len(s) and s[j].isspace():
        j += 1
    return (i > 0 and s[i - 1] == _REPLACEMENT) or (j < len(s) and s[j] == _REPLACEMENT) or _REPLACEMENT in s[a:b]


def _label(pieces: list[Piece], text: str, s: str, src: Sequence[int], a: int, b: int) -> None:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    if a < b:
        pieces.append(Piece("label", s[a:b], text[src[a] : src[b]], src[a], src[b]))

