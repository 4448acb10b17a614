"""`[tool.consolidate]` in pyproject.toml, or a consolidate.toml, read into a frozen `Config`.

Every table maps onto a frozen dataclass; keys are checked against its fields, so an unknown key
is an error that suggests the nearest known one, and a value of the wrong type is an error too.
"""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError


@dataclass(frozen=True)
class SimilarityConfig:
    """Thresholds and weights of the similarity engine (defaults chosen on labelled data)."""

    # cosine similarity of TF-IDF vectors above which two documents are candidate neighbours
    candidate_cosine: float = 0.20
    # how many nearest neighbours each document keeps (sparse top-k; memory is O(n * k))
    neighbours: int = 10
    # word n-grams of the content vectors: 1 = words, 2 = words and word pairs
    content_ngrams: int = 1
    # combined score above which two documents are versions of one document
    duplicate_threshold: float = 0.50
    # no pair inside a duplicate group may score below this (stops chaining through one strong pair)
    cohesion_floor: float = 0.25
    # connected groups larger than this are split using candidate pairs only (bounds the work)
    max_component: int = 400
    # weights of the combined score
    weight_content: float = 0.30
    weight_name: float = 0.15
    weight_title: float = 0.25
    weight_structure: float = 0.15
    weight_links: float = 0.05
    weight_dates: float = 0.10
    # mutual nearest-neighbour rank of the content vectors (see similarity.neighbour_ranks)
    weight_rank: float = 0.10
    # two names equal apart from version markers (X.md, X_OLD.md, X_V2.md) score at least this
    same_name_score: float = 0.80
    # two documents whose outlines (section headings) overlap this much, that are each other's content
    # neighbours, score at least rule_score: a rewrite keeps the outline it rewrites
    outline_overlap: float = 0.75
    # two index pages in one folder whose lists of linked documents overlap this much (Jaccard) score
    # at least rule_score
    index_coupling: float = 0.30
    rule_score: float = 0.60
    # creation dates further apart than this many days add nothing to the score
    date_window_days: int = 3
    # members of one series (WEEK_1_x, WEEK_2_x) are duplicates only when their text is this alike
    series_duplicate_cosine: float = 0.90
    series_penalty: float = 0.5
    # topic clusters: content neighbours at least this alike are linked; Louvain resolution
    topic_cosine: float = 0.15
    topic_resolution: float = 1.0
    # topic clusters smaller than this are not reported
    min_topic_size: int = 3
    # guides at the root that overlap this much (mean combined score, names or titles related) are
    # several versions of one procedure: one is kept, the others are superseded (0 turns this off)
    overlap_threshold: float = 0.40


@dataclass(frozen=True)
class SecretsConfig:
    """Known false positives: `allow` holds fingerprints or "path:line" entries, never secret text."""

    allow: tuple[str, ...] = ()
    redact: bool = True  # redact detected secrets in the built site


@dataclass(frozen=True)
class Config:
    docs_dir: str = "docs"
    archive_dir: str = "docs/archive"
    # how many Markdown files may stay at the repository root
    root_budget: int = 10
    # globs of files that always stay where they are
    keep: tuple[str, ...] = ()
    # globs of files that are not scanned at all
    exclude: tuple[str, ...] = ()
    # the docs sections, in navigation order
    sections: tuple[str, ...] = (
        "getting-started",
        "guides",
        "reference",
        "architecture",
        "operations",
        "security",
        "development",
        "plans",
    )
    # glob -> section name or "archive": pins matching files regardless of classification
    pin: dict[str, str] = field(default_factory=dict)
    # archive folder layout below archive_dir: "{period}/{group}" or "{period}" or "{group}"
    archive_layout: str = "{period}/{group}"
    # web view of the repository, for links to source files in the site (else read from git remote)
    repo_url: str = ""
    similarity: SimilarityConfig = field(default_factory=SimilarityConfig)
    secrets: SecretsConfig = field(default_factory=SecretsConfig)

    def with_overrides(self, **overrides: Any) -> Config:
        """Command-line options override the file; `None` means "not given"."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return _build(Config, {**_as_dict(self), **given}, "option") if given else self


def _as_dict(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _check_type(value: Any, hint: Any, where: str) -> Any:
    origin = typing.get_origin(hint)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (int, float, str, bool):
        if isinstance(value, hint) and not (hint is int and isinstance(value, bool)):
            return value
        raise ConfigError(f"{where}: expected {hint.__name__}, got {type(value).__name__} ({value!r})")
    if origin is tuple:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        return tuple(value)
    if origin is dict:
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            raise ConfigError(f"{where}: expected a table of strings, got {value!r}")
        return dict(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return value
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: expected a table, got {value!r}")
        return _build(hint, value, where)
    if isinstance(hint, types.UnionType):
        return value
    raise ConfigError(f"{where}: unsupported setting type {hint!r}")  # pragma: no cover


def _build(cls: Any, data: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(k for k in data if k.replace("-", "_") not in known)
    if unknown:
        lines = []
        for key in unknown:
            close = difflib.get_close_matches(key.replace("-", "_"), known, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            lines.append(f"unknown setting '{key}' in {where}{hint}")
        raise ConfigError("; ".join(lines) + f". Known settings: {', '.join(known)}")
    values = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        values[name] = _check_type(value, hints[name], f"{where}.{name}")
    return cls(**values)


def load_config(repo: Path, config_file: Path | None = None) -> Config:
    """Read the repository's settings; no file means the defaults."""
    if config_file is not None:
        return _read(config_file, table_path=())
    own = repo / "consolidate.toml"
    if own.is_file():
        return _read(own, table_path=())
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        return _read(pyproject, table_path=("tool", "consolidate"))
    return Config()


def _read(path: Path, table_path: tuple[str, ...]) -> Config:
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    for key in table_path:
        data = data.get(key, {}) if isinstance(data, dict) else {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [{'.'.join(table_path)}] must be a table")
    where = f"{path.name}" + (f" [{'.'.join(table_path)}]" if table_path else "")
    config: Config = _build(Config, data, where)
    return config
