"""Normalisation for matching (spec §10.1). The raw text is always kept beside the normalised form.

Labels: NFKC (full-width punctuation and digits to ASCII), every kind of whitespace removed (spaces from
<br> and PDF wrapping, NBSP, U+3000), quote characters removed. Values: NFKC, trimmed, thousands
separators removed, unit split off.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_WS = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』〝〞")
_NUMBERING = re.compile(r"^(?:\d{1,2}[.、．]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、)+")

# A lone dash, slash or 无 stands for "no value" (spec §10.3); a dash followed by digits is negative.
PLACEHOLDERS = frozenset({"-", "--", "—", "——", "–", "/", "无", "－", "―", "─", "\\"})
_NUMBER = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(万元|元|件|个|项|条|笔)?$")
_SPLIT_DIGITS = re.compile(r"\d\s+\d")
_BLANK_ENTITIES = ("&nbsp;", "&#160;", "&ensp;", "&emsp;")
REPLACEMENT = "\ufffd"  # U+FFFD: what the decoding put in place of bytes it could not decode
# Digits a value may have. A float64 holds every integer of 15 digits exactly (and the warehouse's int64 and
# DOUBLE columns with it); the largest figure a report prints is an amount in 元 of about ten digits and two
# decimals. A longer number is a layout or crawling accident (cells run together, a page's digits on one
# line), never a figure: it is reported as `implausible_value` and never placed (issue 14).
MAX_DIGITS = 15


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


@lru_cache(maxsize=65536)  # labels repeat across every report of a corpus: normalise each once
def label_key(text: str) -> str:
    """The form used for every label match: NFKC, no whitespace, no quotes."""
    return _WS.sub("", nfkc(text)).translate(_QUOTES)


@lru_cache(maxsize=65536)  # called on the same few hundred labels in every report
def strip_numbering(key: str) -> str:
    """`3.其他` → `其他`, `(七)总计` → `总计`, `四、结转…` → `结转…` (input already label_key'd)."""
    return _NUMBERING.sub("", key)


@dataclass(frozen=True, slots=True)
class Value:
    """A parsed value cell. `value` is None for a blank or placeholder cell."""

    value: Decimal | None
    unit: str | None
    signed: bool  # written with an explicit + or -
    is_decimal: bool
    split_digits: bool = False  # `1 0`: digits separated by whitespace, never glued into 10
    replaced: bool = False  # a value cell holding U+FFFD (bytes that could not be decoded): never placed
    implausible: bool = False  # more than MAX_DIGITS digits: no figure of a report, never placed
    unplaceable: bool = False  # any of the three above: the one flag the placer tests for every cell
    count: int | None = None  # `int(value)` of a plain count (no unit, sign or decimals): what most cells hold


@lru_cache(maxsize=65536)  # most value cells are `0` or small numbers: parse each distinct text once
def parse_value(text: str) -> Value | None:
    """A number, a blank or a placeholder; None if the cell is not a value at all (it is a label)."""
    s = text
    if REPLACEMENT in s:
        # Bytes lost in decoding (`pipeline.decoding`): a cell that would be a value or a blank without them, or
        # holds nothing else, is a value cell whose number is unknown; with other text it is a label.
        rest = s.replace(REPLACEMENT, "")
        if rest.strip() and parse_value(rest) is None:
            return None
        return Value(None, None, False, False, replaced=True, unplaceable=True)
    for entity in _BLANK_ENTITIES:
        s = s.replace(entity, " ")
    s = nfkc(s).strip()
    if _SPLIT_DIGITS.search(s) and _NUMBER.match(_WS.sub("", s).replace(",", "")):
        return Value(None, None, False, False, split_digits=True, unplaceable=True)
    s = _WS.sub("", s)
    if not s or s in PLACEHOLDERS:
        return Value(None, None, False, False)
    if s[0] not in "+-0123456789":
        return None
    s = s.replace(",", "")
    m = _NUMBER.match(s)
    if not m:
        return None
    sign, digits, unit = m.groups()
    try:
        number = Decimal(sign + digits)
    except InvalidOperation:  # pragma: no cover - the regex admits only valid literals
        return None
    if len(digits) > MAX_DIGITS and len(number.as_tuple().digits) > MAX_DIGITS:
        return Value(number, unit, bool(sign), "." in digits, implausible=True, unplaceable=True)
    decimal = "." in digits
    plain = unit is None and not sign and not decimal
    return Value(number, unit, bool(sign), decimal, count=int(number) if plain else None)
