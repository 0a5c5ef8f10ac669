"""Body keys across years: `克井镇人民政府` and `克井镇`, `湘乡市泉塘镇人民政府` and `泉塘镇` are one body.

The rule, explicit so that it can be tested and explained:

1. Normalise: NFKC, no whitespace, and drop a trailing `人民政府`/`政府` after an administrative unit
   (`克井镇人民政府` → `克井镇`).
2. Split a township-level name (ending in 镇, 乡, 街道, 街道办事处, 苏木) into the administrative prefix
   (`湘乡市`, `韶关市浈江区`) and its core (`泉塘镇`). Other bodies (departments, county governments) keep the
   whole normalised name as their core: `生态环境局` alone names a department of *some* city, so a bare
   department name is never matched to a prefixed one.
3. Within one core, two names are the same body when their prefixes are compatible (one ends with the
   other, or one is empty). A name whose prefix is compatible with two incompatible prefixes (a bare
   `泉塘镇` beside `湘乡市泉塘镇` and `浏阳市泉塘镇`) is ambiguous and stays a body of its own: never merge two
   different bodies.

The body key is the longest prefix of the name's chain + core.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pipeline.normalize import nfkc

_GOV_SUFFIX = re.compile(r"(?<=[省市县区镇乡旗州盟])(?:人民政府|政府)$")
_TOWNSHIP = re.compile(r"(?:镇|乡|街道办事处|街道|苏木)$")
# One administrative prefix unit: 2–8 characters ending in a unit type.
_PREFIX_UNIT = re.compile(r"^(.{1,7}?(?:自治区|自治州|自治县|地区|省|市|州|盟|县|区|旗))")


@dataclass(frozen=True)
class BodyName:
    raw: str
    normalized: str
    prefix: str
    core: str


def split_body_name(name: str) -> BodyName:
    normalized = re.sub(r"\s+", "", nfkc(name))
    normalized = _GOV_SUFFIX.sub("", normalized)
    prefix, core = "", normalized
    if _TOWNSHIP.search(normalized):
        while True:
            m = _PREFIX_UNIT.match(core)
            if not m or len(core) - len(m.group(1)) < 2 or not _TOWNSHIP.search(core[len(m.group(1)):]):
                break
            prefix += m.group(1)
            core = core[len(m.group(1)):]
    return BodyName(name, normalized, prefix, core)


def _compatible(a: str, b: str) -> bool:
    return a.endswith(b) or b.endswith(a)


def assign_body_keys(names: Iterable[str]) -> dict[str, tuple[str, bool]]:
    """Map every distinct name to (body_key, ambiguous). Ambiguous names keep a key of their own."""
    parts = {n: split_body_name(n) for n in set(names) if n}
    by_core: dict[str, set[str]] = defaultdict(set)
    for p in parts.values():
        by_core[p.core].add(p.prefix)
    out: dict[str, tuple[str, bool]] = {}
    for name, p in parts.items():
        prefixes = by_core[p.core]
        chains = [q for q in prefixes if _compatible(q, p.prefix)]
        longest = {q for q in chains if not any(r != q and r.endswith(q) for r in chains)}
        if len(longest) == 1:
            out[name] = (longest.pop() + p.core, False)
        else:
            out[name] = (f"{p.prefix}{p.core}?", True)
    return out
