"""Bytes → text: a report is decoded cleanly, or with its few bad bytes marked, or rejected (spec §10.1).

Order: BOM, then strict UTF-8 (the fast path), then chardet. The GBK family (GB2312, GBK) is decoded as
GB18030, its superset. Nothing is ever decoded with errors="ignore".

A few bad bytes (issue 14). One invalid byte anywhere (a transfer error, a file cut mid-character, a
stray byte from an editor) must not lose the whole report. A file that no encoding decodes strictly, but
that is UTF-8 (or GB18030, when chardet names it) apart from a few invalid sequences, is decoded with
U+FFFD in their place, and `Decoded.replaced` says how many bytes in how many places on which lines (the
parse reports them as the finding `bytes_replaced`). Nothing is guessed from a replaced byte: a value
cell or a run-together digit run that holds or touches a U+FFFD is never placed
(`pipeline.normalize.Value.replaced`, `pipeline.runtogether.pieces.Piece.touched`).

The limit: more than `MAX_REPLACED_SHARE` (1 %) of the file's bytes, or more than `MAX_REPLACED_PLACES`
(100) places, and the file is refused as `undecodable`, as before. A damaged UTF-8 file has a handful of
bad bytes; a file in another encoding read as UTF-8 has one in every two or three non-ASCII bytes (a
GB18030 report: 20-60 % of its bytes), and random bytes even more: 1 % lies far from both. The
count of places bounds the findings one file can produce and the work of listing them. UTF-8 is taken only
with evidence: at least `_UTF8_EVIDENCE` (10) valid non-ASCII characters per replaced place, so that a
GB18030 file with two or three ideographs among ASCII is still left to detection.
"""

from __future__ import annotations

import codecs
import math
import re
import warnings
from dataclasses import dataclass

import chardet

from pipeline.model import ParseError

_GBK_FAMILY = {"gb2312", "gbk", "gb18030", "hz-gb-2312", "euc-cn", "cp936"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings tried, in order, when chardet's guess fails to decode cleanly.
_FALLBACKS = ("gb18030", "big5")
_SUPPORTED = {"gb18030", "big5", "big5hkscs", "cp950"}
_DETECTED = ("gb18030", "gbk", "gb2312", "big5", "big5hkscs", "cp950")  # what chardet may answer


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")

MAX_REPLACED_SHARE = 0.01  # of the file's bytes that may be replaced by U+FFFD (see the module docstring)
MAX_REPLACED_PLACES = 100  # undecodable sequences that may be replaced in one file
_UTF8_EVIDENCE = 10  # valid non-ASCII characters needed per replaced place to read a file as damaged UTF-8
_SAMPLE = 4096  # bytes decoded first: a file in another encoding fails here, before the whole is decoded
_REPLACEABLE = ("utf-8", "utf-8-sig", "gb18030")  # encodings that can encode U+FFFD: the count is exact
# Line breaks as str.splitlines sees them: the lines of a text report are numbered that way.
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Replaced:
    """Bytes that could not be decoded and were replaced by U+FFFD (one per invalid sequence)."""

    places: int  # invalid sequences replaced
    bytes: int  # the bytes they held
    lines: tuple[int, ...]  # 1-based lines of the decoded text holding a U+FFFD (str.splitlines numbering)

    def describe(self, encoding: str) -> str:
        shown = ", ".join(map(str, self.lines[:20])) + (", …" if len(self.lines) > 20 else "")
        return (f"{self.bytes} byte(s) in {self.places} place(s) are not valid {encoding} and were replaced by "
                f"U+FFFD (line{'s' if len(self.lines) > 1 else ''} {shown} of the file); no value is read from a "
                "replaced byte")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    confidence: float
    replaced: Replaced | None = None  # bytes replaced by U+FFFD, None when the decode was strict


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _plausible(ch: str) -> bool:
    o = ord(ch)
    return (32 <= o < 127 or ch in "\t\r\n" or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
            or 0xFF00 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0x3400 <= o <= 0x4DBF)


def _looks_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without a BOM: strictly decodable, real newlines, and almost only CJK/ASCII characters.

    Any byte pairs decode as *some* UTF-16, so plausibility decides: GB18030 bytes read as UTF-16 give
    no U+000A newlines and mostly characters outside the CJK and ASCII ranges.
    """
    if len(data) % 2 or len(data) < 8:
        return None
    for name in ("utf-16-le", "utf-16-be"):
        text = _strict(data, name)
        if not text:
            continue
        sample = text[:4000]
        if "\n" in sample and sum(map(_plausible, sample)) >= 0.95 * len(sample):
            return name, text
    return None


def replacing_decode(data: bytes, encoding: str, evidence: bool = False) -> tuple[str, Replaced] | None:
    """`data` decoded with U+FFFD for each undecodable sequence, with what was replaced; None when more than
    the limits would be replaced (see the module docstring), or when nothing needs replacing. `evidence`:
    also require `_UTF8_EVIDENCE` valid non-ASCII characters per replaced place."""
    if encoding not in _REPLACEABLE:
        return None
    marker = REPLACEMENT.encode(encoding.replace("-sig", ""))  # a U+FFFD written in the file itself
    sample = data[:_SAMPLE]
    if sample.decode(encoding, "replace").count(REPLACEMENT) - sample.count(marker) > MAX_REPLACED_PLACES:
        return None
    text = data.decode(encoding, "replace")
    places = text.count(REPLACEMENT) - data.count(marker)
    if places <= 0 or places > MAX_REPLACED_PLACES:
        return None
    replaced = len(data) - (len(text.encode(encoding)) - len(marker) * places)
    if replaced > len(data) * MAX_REPLACED_SHARE:
        return None
    non_ascii = len(text) - len(text.encode("ascii", "ignore")) - text.count(REPLACEMENT)
    if evidence and non_ascii < _UTF8_EVIDENCE * places:
        return None
    return text, Replaced(places, replaced, _lines_of(text, REPLACEMENT))


def _lines_of(text: str, char: str) -> tuple[int, ...]:
    """The 1-based lines (str.splitlines numbering) of text holding `char`."""
    lines: list[int] = []
    line, prev = 1, 0
    pos = text.find(char)
    while pos >= 0:
        line += len(_LINE_BREAK.findall(text, prev, pos))
        if not lines or lines[-1] != line:
            lines.append(line)
        prev = pos
        pos = text.find(char, pos + 1)
    return tuple(lines)


def confidence_of(replaced: Replaced, size: int, base: float = 1.0) -> float:
    """Below `base` by the share of bytes replaced, never rounded up to it."""
    return min(base, math.floor((1 - replaced.bytes / size) * 1000) / 1000, 0.999)


def _check_text(text: str, encoding: str) -> None:
    """Reject decodes that produced control-character soup (binary data that happened to decode)."""
    sample = text[:20000]
    if not sample:
        return
    bad = len(_CONTROL.findall(sample))
    if "\x00" in sample or bad > max(3, len(sample) // 100):
        raise ParseError("binary_file", f"decodes as {encoding} but is full of control characters")


def decode(data: bytes) -> Decoded:
    """Decode raw report bytes, recording the encoding and the detector's confidence."""
    if not data.strip():
        raise ParseError("empty_file", "the file is empty" if not data else "the file holds only whitespace")
    decoded = _decode(data)
    if not decoded.text.strip():  # a BOM, U+3000 or UTF-16 spaces and nothing else
        raise ParseError("empty_file", f"the file holds only whitespace ({decoded.encoding})")
    return decoded


def _decode(data: bytes) -> Decoded:
    for bom, name in _BOMS:
        if data.startswith(bom):
            text = _strict(data, name)
            if text is None:
                lenient = replacing_decode(data, name)
                if lenient is None:
                    raise ParseError("undecodable", f"has a {name} byte-order mark but is not valid {name}")
                _check_text(lenient[0], name)
                return Decoded(lenient[0], name, confidence_of(lenient[1], len(data)), lenient[1])
            _check_text(text, name)
            return Decoded(text, name, 1.0)
    text = _strict(data, "utf-8")
    if text is not None and "\x00" not in text:
        _check_text(text, "utf-8")
        return Decoded(text, "utf-8", 1.0)
    utf16 = _looks_utf16(data)
    if utf16:
        return Decoded(utf16[1], utf16[0], 0.9)
    if b"\x00" in data[:8192]:
        raise ParseError("binary_file", "contains NUL bytes and is not UTF-16 text")
    lenient = replacing_decode(data, "utf-8", evidence=True) if text is None else None
    if lenient is not None:  # UTF-8 but for a few bad bytes (see the module docstring)
        _check_text(lenient[0], "utf-8")
        return Decoded(lenient[0], "utf-8", confidence_of(lenient[1], len(data)), lenient[1])
    # A 4 KiB sample decides as well as the whole file (6x faster), and only the encodings a report can
    # be decoded with are candidates (9x faster again): any other guess was only ever a reason to try
    # GB18030 and Big5 anyway. chardet warns when nothing matches (it would answer cp1252, which is not
    # among the candidates): that is its answer "nothing", not a problem to print on stderr.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        guess = chardet.detect(data[:4096], include_encodings=_DETECTED)
    name = (guess.get("encoding") or "").lower()
    confidence = float(guess.get("confidence") or 0.0)
    if name in _GBK_FAMILY:
        name = "gb18030"
    # Only the encodings Chinese reports come in: a latin-1 guess would "succeed" on anything.
    candidates = [name] if name in _SUPPORTED else []
    candidates += [f for f in _FALLBACKS if f not in candidates]
    for candidate in candidates:
        text = _strict(data, candidate)
        if text is not None:
            _check_text(text, candidate)
            conf = confidence if candidate == name else min(confidence, 0.5)
            return Decoded(text, _canonical(candidate), round(conf, 3))
    lenient = _named_but_damaged(data, name, confidence)
    if lenient is not None:
        return lenient
    raise ParseError(
        "undecodable",
        f"not valid UTF-8, UTF-16, GB18030 or Big5 (chardet guessed {name or 'nothing'} at {confidence:.2f})",
    )


def _named_but_damaged(data: bytes, name: str, confidence: float) -> Decoded | None:
    """The file in the encoding chardet names, but for a few bad bytes. chardet names none when a bad byte
    sits in its sample (it drops the encodings the sample is not valid in): it is then asked again about
    the sample without the bytes GB18030 could not decode."""
    if not name:
        lenient = replacing_decode(data, "gb18030")
        if lenient is None:
            return None
        sample = lenient[0][:_SAMPLE // 2].replace(REPLACEMENT, "").encode("gb18030")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            guess = chardet.detect(sample, include_encodings=_DETECTED)
        if (guess.get("encoding") or "").lower() not in _GBK_FAMILY:
            return None
        name, confidence = "gb18030", float(guess.get("confidence") or 0.0)
    else:
        lenient = replacing_decode(data, name)
        if lenient is None:
            return None
    _check_text(lenient[0], name)
    return Decoded(lenient[0], _canonical(name), confidence_of(lenient[1], len(data), round(confidence, 3)),
                   lenient[1])


def _canonical(name: str) -> str:
    return {"big5hkscs": "big5", "cp950": "big5"}.get(name, name)
