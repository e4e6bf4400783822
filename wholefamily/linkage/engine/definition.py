"""The versioned linkage definition (definitions/linkage/model-v<N>.yaml) and its nickname table, as typed values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from wholefamily.domain.names import NicknameTable

DEFAULT_DEFINITIONS_DIR = Path(__file__).resolve().parents[3] / "definitions"
_MODEL_FILE = re.compile(r"^model-v(\d+)\.yaml$")
_PERSON_MODEL_FILE = re.compile(r"^person-model-v(\d+)\.yaml$")
FAMILIES = ("county", "person")


@dataclass(frozen=True)
class BlockingRule:
    """Either columns that must be equal on both sides, or a SQL condition over l. and r."""

    columns: tuple[str, ...] = ()
    sql: str = ""


@dataclass(frozen=True)
class Training:
    seed: int
    u_max_pairs: float
    prior_rules: tuple[str, ...]
    prior_recall: float
    em_blocking_rules: tuple[tuple[str, ...], ...]
    em_max_pairs: float | None
    min_labels_for_m: int = 50
    em_max_iterations: int = 25
    # the share of random pairs that match, stated, when no prior rule can be evaluated on the data
    prior_when_unknown: float = 1e-4


@dataclass(frozen=True)
class HouseholdRules:
    child_under: int = 16
    young_person_under: int = 25
    parent_min_age_gap: int = 15
    # kind -> (from column, to column): the record's address holds over that span (to: empty while open)
    address_spans: dict[str, tuple[str, str]] = field(default_factory=dict)
    # kind -> column: the agency's own household reference (one household at one address while the reference lasts)
    household_refs: dict[str, str] = field(default_factory=dict)
    # (from, under): a person of these ages who leaves the family home for a listing under their name elsewhere
    # (model v3); None: the rule is off
    leaving_home_ages: tuple[int, int] | None = None
    # options of ADR 0019 (model v5 sets before_following, name_similarity and new_home): leaving home judged before
    # following (a young adult who has left does not move with the family); the namesake first seen after the young
    # adult arrived at the home, not after their last record there (agencies keep a stale home address); one of
    # forename and surname may differ by a keying slip (Jaro-Winkler at least `leaving_home_name_similarity`);
    # several namesakes allowed
    leaving_home_before_following: bool = False
    leaving_home_namesake_after: str = "last_record"  # or "arrival"
    leaving_home_name_similarity: float | None = None
    leaving_home_several_namesakes: bool = False  # one namesake pointing to the young adult alone is enough
    # the namesake is first seen at a dwelling where nobody already living there is seen on or after that day (a
    # new home of their own, not a listing of a baby born into a family)
    leaving_home_new_home: bool = False
    # a person whose last record of all closes a span (a council tax listing closed) has moved out (model v5)
    closed_span_moves_out: bool = False
    spell_gap_days: int | None = None  # model-v1 only; households no longer use it


def _household_rules(raw: dict[str, Any]) -> HouseholdRules:
    spans = {str(kind): (str(columns[0]), str(columns[1])) for kind, columns in raw.get("address_spans", {}).items()}
    refs = {str(kind): str(column) for kind, column in raw.get("household_refs", {}).items()}
    leaving = raw.get("leaving_home")
    ages = (int(leaving["from_age"]), int(leaving["under_age"])) if leaving else None
    if ages is not None and not 0 <= ages[0] < ages[1]:
        raise ValueError("households.leaving_home: from_age must be below under_age")
    leaving = leaving or {}
    after = str(leaving.get("namesake_after", "last_record"))
    if after not in ("last_record", "arrival"):
        raise ValueError("households.leaving_home: namesake_after must be last_record or arrival")
    similarity = leaving.get("name_similarity")
    if similarity is not None and not 0 < float(similarity) <= 1:
        raise ValueError("households.leaving_home: name_similarity must be above 0 and at most 1")
    rest = {key: value for key, value in raw.items() if key not in ("address_spans", "household_refs", "leaving_home")}
    return HouseholdRules(
        **rest, address_spans=spans, household_refs=refs, leaving_home_ages=ages,
        leaving_home_before_following=bool(leaving.get("before_following", False)),
        leaving_home_namesake_after=after,
        leaving_home_name_similarity=float(similarity) if similarity is not None else None,
        leaving_home_several_namesakes=bool(leaving.get("several_namesakes", False)),
        leaving_home_new_home=bool(leaving.get("new_home", False)),
    )  # fmt: skip


@dataclass(frozen=True)
class LinkageDefinition:
    """A model definition file (`definitions/linkage/model-v<N>.yaml`), checked."""

    version: int
    link_threshold: float
    review_threshold: float
    blocking_rules: tuple[BlockingRule, ...]
    training: Training
    comparisons: dict[str, dict[str, Any]]
    households: HouseholdRules
    nicknames: NicknameTable
    path: Path
    conflicts: tuple[str, ...] = ()
    # predict in chunks of about this many profiles a side (None: in one go), so that DuckDB's spill stays bounded
    profiles_per_chunk: int | None = None
    raw: dict[str, Any] = field(repr=False, default_factory=dict)
    # "county" (households, agency identifiers) or "person" (Splink's standard comparisons on whatever is present)
    family: str = "county"
    # when the county model suits the data: the share of profiles with an address, and of those sharing a dwelling
    # with another forename (household evidence)
    min_address_share: float = 0.5
    min_shared_dwelling_share: float = 0.05
    # likely relatives: one dwelling, dates of birth under this many years apart (or unknown)
    relatives_max_year_gap: int | None = None
    # a shared surname also makes two profiles of one cluster likely relatives (for the forename conflict)
    relatives_same_surname: bool = False

    def with_threshold(self, link: float) -> LinkageDefinition:
        """This definition with another link threshold (the review threshold is lowered to it when above)."""
        if not 0 < link < 1:
            raise ValueError("the match threshold must be between 0 and 1 (for example 0.95)")
        return replace(self, link_threshold=link, review_threshold=min(self.review_threshold, link))

    def prediction_chunks(self, profiles: int) -> int:
        """Chunks a side for `profiles` profiles (Splink scores every pair of chunks: this number squared)."""
        if not self.profiles_per_chunk:
            return 1
        return max(1, -(-profiles // self.profiles_per_chunk))

    @property
    def settings_version(self) -> str:
        name = "person-model" if self.family == "person" else "model"
        return f"{name}-v{self.version}+nicknames-v{self.nicknames.version}"


def linkage_dir(definitions_dir: Path | None = None) -> Path:
    return (definitions_dir or DEFAULT_DEFINITIONS_DIR) / "linkage"


def latest_model_path(definitions_dir: Path | None = None, *, family: str = "county") -> Path:
    """The model file of `family` (county: model-v<N>.yaml; person: person-model-v<N>.yaml) with the highest
    version number."""
    pattern = _PERSON_MODEL_FILE if family == "person" else _MODEL_FILE
    candidates = [
        (int(match.group(1)), path)
        for path in linkage_dir(definitions_dir).iterdir()
        if (match := pattern.match(path.name))
    ]
    if not candidates:
        raise FileNotFoundError(f"no model-v<N>.yaml in {linkage_dir(definitions_dir)}")
    return max(candidates)[1]


def load_nicknames(path: Path | None = None) -> NicknameTable:
    raw = yaml.safe_load((path or linkage_dir() / "nicknames.yaml").read_text(encoding="utf-8"))
    return NicknameTable.from_mapping(version=int(raw["version"]), nicknames=raw["nicknames"])


def _blocking_rule(raw: Any) -> BlockingRule:
    if isinstance(raw, dict):
        return BlockingRule(sql=str(raw["sql"]))
    return BlockingRule(columns=tuple(str(column) for column in raw))


def load_definition(
    path: Path | None = None, *, definitions_dir: Path | None = None, family: str = "county"
) -> LinkageDefinition:
    """Read and check a model definition (default: the latest version of the county model)."""
    path = path or latest_model_path(definitions_dir, family=family)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    thresholds = raw["thresholds"]
    link, review = float(thresholds["link"]), float(thresholds["review"])
    if not 0 < review <= link < 1:
        raise ValueError(f"{path.name}: thresholds must satisfy 0 < review <= link < 1")
    training = raw["training"]
    em_max = training.get("em_max_pairs")
    family = str(raw.get("family", "county"))
    if family not in FAMILIES:
        raise ValueError(f"{path.name}: family must be one of {', '.join(FAMILIES)}")
    applies = raw.get("applies_when") or {}
    relatives = raw.get("relatives") or {}
    return LinkageDefinition(
        version=int(raw["version"]),
        link_threshold=link,
        review_threshold=review,
        blocking_rules=tuple(_blocking_rule(rule) for rule in raw["blocking_rules"]),
        training=Training(
            seed=int(training["seed"]),
            u_max_pairs=float(training["u_max_pairs"]),
            prior_rules=tuple(str(rule) for rule in training["prior_rules"]),
            prior_recall=float(training["prior_recall"]),
            em_blocking_rules=tuple(tuple(str(c) for c in rule) for rule in training["em_blocking_rules"]),
            em_max_pairs=float(em_max) if em_max else None,
            min_labels_for_m=int(training.get("min_labels_for_m", 50)),
            em_max_iterations=int(training.get("em_max_iterations", 25)),
            prior_when_unknown=float(training.get("prior_when_unknown", 1e-4)),
        ),
        comparisons=dict(raw["comparisons"]),
        households=_household_rules(raw.get("households", {})),
        nicknames=load_nicknames(path.parent / raw.get("nicknames", "nicknames.yaml")),
        path=path,
        conflicts=tuple(str(name) for name in raw.get("conflicts", [])),
        profiles_per_chunk=int(raw["prediction"]["profiles_per_chunk"]) if raw.get("prediction") else None,
        raw=raw,
        family=family,
        min_address_share=float(applies.get("min_address_share", 0.5)),
        min_shared_dwelling_share=float(applies.get("min_shared_dwelling_share", 0.05)),
        relatives_max_year_gap=int(relatives["max_year_gap"]) if "max_year_gap" in relatives else None,
        relatives_same_surname=bool(relatives.get("or_same_surname", False)),
    )


def load_models(definitions_dir: Path | None = None) -> tuple[LinkageDefinition, LinkageDefinition]:
    """The latest county model and the latest general person model."""
    return (
        load_definition(definitions_dir=definitions_dir, family="county"),
        load_definition(definitions_dir=definitions_dir, family="person"),
    )
