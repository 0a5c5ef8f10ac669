"""The files of `dbt_like_sql/` read as data: which relation each one builds, how, from what, and in which order.

One file = one relation = one asset, and the folder is the asset's group:

* `seeds/<name>.csv` → table `seeds.<name>`, asset `seeds/<name>` (every column text);
* `warehouse/<name>.sql`, `bodies/<name>.sql` → `main.<name>`, asset `<name>`: the core relations, which
  analysts name without a schema (`dim_report`, `fact_applications`, `dim_body_name`, …);
* `<layer>/<name>.sql` (`staging`, `marts`) → `<layer>.<name>`, asset `<layer>/<name>`.

A SQL file is one SELECT in plain DuckDB SQL (an analyst can run it on the published warehouse). Its leading
`--` comment block is the asset's description, apart from these header lines:

* `-- materialized: table | view | incremental_by_report | incremental_by_body` (default `table`): a view
  for a relation over millions of rows that is cheap to compute when read; `incremental_by_report` recomputes
  only the reports whose parse changed, `incremental_by_body` only the bodies that got a new or changed report
  (`assets/lib/incremental.py`);
* `-- unique: a, b`: columns no two rows share, checked before publishing (`assets/lib/atomic_publish.py`);
* `-- identities: A1, A2`: the identity checks of spec §7 reported on this asset (`pipeline/identities.py`);
  they read the view `identity_checks`, which becomes a dependency.
* `-- changes_with: staging.stg_body_reports (body_key, is_body_primary)` (an incremental model only; required
  by `incremental_by_body`, whose relation must have a `body_key`): the relation, one row per report, and the
  columns of it the model's rows also depend on besides the report's parse (all when none are named); a report
  (body) whose row there changed is recomputed (`assets/lib/incremental.py`). By body, a condition may follow
  (`... where is_body_primary`): the model reads only those reports. The relation becomes a dependency.

Every table the SELECT reads becomes a dependency: `staging.stg_x` → `staging/stg_x`, an unqualified `fact_x`
→ `fact_x`, `loaded.reports` → `loaded/reports` (the tables the load step fills from Parquet).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

from assets.lib import environment_cache
from assets.lib.duckdb_ops import file_code_version, quote, rows_version
from assets.lib.incremental import BY_BODY, parse_changes_with
from assets.lib.incremental import KINDS as INCREMENTAL_KINDS
from assets.lib.storage import PROJECT_ROOT

SQL_DIR = PROJECT_ROOT / "dbt_like_sql"
SEEDS = "seeds"
MAIN_SCHEMA_FOLDERS = ("warehouse", "bodies")  # their relations live in the main schema
NOT_MODELS = ("docs", "tests")  # folders of dbt_like_sql/ that hold no relation
KINDS = ("table", "view", *INCREMENTAL_KINDS)
IDENTITY_CHECKS = ("identity_checks",)  # the view identity checks read (asset key)
_DIRECTIVE = re.compile(r"(materialized|unique|identities|changes_with):\s*(.*)")


def referenced_tables(sql: str) -> list[list[str]]:
    """Tables a SELECT reads (schema-qualified where written), minus its own CTE names."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    keys = {(t.db, t.name) for t in tree.find_all(exp.Table) if t.name and (t.db or t.name not in ctes)}
    return [[db, name] if db else [name] for db, name in sorted(keys)]


# Beside the Python environment, like the chart's script bundle: what `referenced_tables` answered, by the hash of
# the SQL and sqlglot's version. Importing sqlglot and parsing every model cost 0.5 s at every start of a run.
TABLES_CACHE = environment_cache.FOLDER / "referenced-tables.json"


@cache
def _known_tables() -> dict[str, list[list[str]]]:
    try:
        known = json.loads(TABLES_CACHE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


@cache
def _sqlglot_version() -> str:
    return metadata.version("sqlglot")


def tables_read(sql: str) -> list[list[str]]:
    """`referenced_tables(sql)`, from the cache when this SQL was parsed before by this sqlglot (a pure function
    of the two: a cached answer cannot be stale). A cache that cannot be written only costs the parse."""
    known = _known_tables()
    key = hashlib.sha256(f"{_sqlglot_version()}\0{sql}".encode()).hexdigest()
    if key not in known:
        known[key] = referenced_tables(sql)
        environment_cache.write_atomic(TABLES_CACHE, json.dumps(known, ensure_ascii=False))
    return known[key]


def header(sql: str) -> list[str]:
    """The lines of the leading `--` comment block, without the `--`."""
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return lines


def directives(sql: str) -> dict[str, str]:
    """The header's `name: value` lines (`materialized`, `unique`, `identities`, `changes_with`)."""
    return {m.group(1): m.group(2).strip() for line in header(sql) if (m := _DIRECTIVE.fullmatch(line))}


def materialization_of(sql: str) -> str:
    """What the header's `-- materialized:` line says, else `table`."""
    kind = directives(sql).get("materialized", "table")
    if kind not in KINDS:
        raise ValueError(f"materialized: {kind!r} is not one of {', '.join(KINDS)}")
    return kind


def description_of(sql: str, fallback: str) -> str:
    """The leading `--` comment block of a SQL file, without its directive lines."""
    return "\n".join(line for line in header(sql) if not _DIRECTIVE.fullmatch(line)).strip() or fallback


def _names(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


@dataclass(frozen=True)
class Model:
    """One relation of the warehouse and the file that builds it."""

    file: str  # relative to the project, e.g. dbt_like_sql/marts/applications_by_year.sql
    group: str  # the folder
    schema: str
    name: str
    kind: str  # seed | table | view | incremental_by_report | incremental_by_body
    text: str  # the file as written
    select: str  # the SELECT that builds the relation
    deps: tuple[tuple[str, ...], ...]  # asset keys of what it reads
    unique: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    description: str = ""
    changes_with: str = ""  # an incremental model's per-report relation besides the parse (`-- changes_with:`)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.name,) if self.schema == "main" else (self.schema, self.name)

    @property
    def relation(self) -> str:
        """How SQL names it: `dim_report`, `marts.applications_by_year`."""
        return self.name if self.schema == "main" else f"{self.schema}.{self.name}"

    @property
    def code_version(self) -> str:
        return file_code_version(self.text)


def relation_of(key: tuple[str, ...]) -> tuple[str, str]:
    """(schema, name) of the relation an asset key names: `dim_report` → main, `loaded/reports` → loaded."""
    return ("main", key[0]) if len(key) == 1 else (key[0], key[-1])


def _seed(path: Path, root: Path) -> Model:
    return Model(
        file=f"dbt_like_sql/{path.relative_to(root).as_posix()}",
        group=SEEDS,
        schema=SEEDS,
        name=path.stem,
        kind="seed",
        text=path.read_text(encoding="utf-8"),
        select=f"select * from read_csv({quote(str(path))}, header = true, all_varchar = true)",
        deps=(),
        description=f"Seed table `{SEEDS}.{path.stem}` from dbt_like_sql/{SEEDS}/{path.name} (all columns text).",
    )


def _sql_model(path: Path, root: Path) -> Model:
    text = path.read_text(encoding="utf-8")
    select = text.strip().rstrip(";")
    folder = path.parent.name
    said = directives(text)
    identities = _names(said.get("identities", ""))
    deps = {tuple(key) for key in tables_read(select)}
    if identities:
        deps.add(IDENTITY_CHECKS)
    kind = materialization_of(text)
    changes_with = said.get("changes_with", "")
    if changes_with:
        if kind not in INCREMENTAL_KINDS:
            raise ValueError(f"{path.name}: changes_with applies to incremental models only")
        relation, _, condition = parse_changes_with(changes_with)
        if condition and kind != BY_BODY:
            raise ValueError(f"{path.name}: a changes_with condition (where …) applies to incremental_by_body only")
        relation = relation.removeprefix("main.")
        deps.add(tuple(relation.split(".", 1)))
    elif kind == BY_BODY:
        raise ValueError(f"{path.name}: incremental_by_body needs changes_with: the per-report relation with body_key")
    file = f"dbt_like_sql/{path.relative_to(root).as_posix()}"
    return Model(
        file=file,
        group=folder,
        schema="main" if folder in MAIN_SCHEMA_FOLDERS else folder,
        name=path.stem,
        kind=kind,
        text=text,
        select=select,
        deps=tuple(sorted(deps)),
        unique=_names(said.get("unique", "")),
        identities=identities,
        description=description_of(text, file),
        changes_with=changes_with,
    )


def dependency_order(models: list[Model]) -> tuple[Model, ...]:
    """The models, each after every model it reads (ties in file order); a cycle is an error."""
    by_key = {m.key: m for m in models}
    done: dict[tuple[str, ...], Model] = {}
    visiting: set[tuple[str, ...]] = set()

    def visit(model: Model) -> None:
        if model.key in done:
            return
        if model.key in visiting:
            raise ValueError(f"{model.file} reads itself through its dependencies")
        visiting.add(model.key)
        for dep in model.deps:
            if dep in by_key:
                visit(by_key[dep])
        visiting.discard(model.key)
        done[model.key] = model

    for model in models:
        visit(model)
    return tuple(done.values())


def read_models(root: Path = SQL_DIR) -> tuple[Model, ...]:
    """Every seed and SQL model under `root`, in dependency order.

    Parsing the SQL costs a quarter of a second; a process reads the files again only when one of them changed
    (the definitions and the publish step's checks read them in the same run)."""
    seeds = sorted((root / SEEDS).glob("*.csv"))
    files = sorted(p for p in root.glob("*/*.sql") if p.parent.name not in (SEEDS, *NOT_MODELS))
    stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in (*seeds, *files))
    return _read_models(Path(root), tuple(seeds), tuple(files), stamps)


@lru_cache(maxsize=8)
def _read_models(root: Path, seeds: tuple[Path, ...], files: tuple[Path, ...], _stamps: tuple) -> tuple[Model, ...]:
    models = [_seed(path, root) for path in seeds] + [_sql_model(path, root) for path in files]
    keys = [m.key for m in models]
    if len(set(keys)) != len(keys):
        raise ValueError(f"two files build the same relation: {sorted(k for k in keys if keys.count(k) > 1)}")
    return dependency_order(models)


def upstream(models: tuple[Model, ...], model: Model) -> list[Model]:
    """Every model `model` reads, directly or not, in dependency order."""
    by_key = {m.key: m for m in models}
    seen: set[tuple[str, ...]] = set()
    stack = [dep for dep in model.deps if dep in by_key]
    while stack:
        key = stack.pop()
        if key not in seen:
            seen.add(key)
            stack.extend(dep for dep in by_key[key].deps if dep in by_key)
    return [m for m in models if m.key in seen]


def incremental_rows_version(models: tuple[Model, ...], model: Model) -> str:
    """The version stored with an incremental model's rows: its SQL and every file upstream of it."""
    return rows_version([model.text, *(m.text for m in upstream(models, model))])
