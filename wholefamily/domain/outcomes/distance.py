"""Distance travelled (Commissioning for Families with Complex Needs, section 2.4 and Appendix D) as pure rules: the
definition's schema, the time points B, R1, R2..., which member is scored on which profile, and how change from the
baseline is read.

Scores are need, 1 (none) to 5 (critical or complex): progress is a fall in score. A rise at the first review is
expected (more need found after engagement) and labelled so; a missing score is missing, never "no need".
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

FAMILY = "family"  # the subject of the family profile: the whole family, not one member
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
SCORES = (1, 2, 3, 4, 5)


class DistanceDefinitionError(ValueError):
    """A distance-travelled definition file is malformed."""


class ScoreError(ValueError):
    """A set of scores breaks the definition (unknown item, wrong profile for the member, out of range)."""


@dataclass(frozen=True)
class ScaleLevel:
    score: int
    level: str
    family_wording: str


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    profile: str
    group: str = ""


@dataclass(frozen=True)
class Profile:
    code: str
    label: str
    applies_to: tuple[str, ...]  # ("family",) or member roles
    source: str
    items: tuple[Item, ...]

    @property
    def is_family(self) -> bool:
        return self.applies_to == (FAMILY,)


@dataclass(frozen=True)
class Assessor:
    code: str
    label: str


@dataclass(frozen=True)
class Choice:
    topic: str
    choice: str
    reason: str


@dataclass(frozen=True)
class DistanceDefinition:
    name: str
    version: int
    title: str
    sources: tuple[str, ...]
    effective_from: dt.date
    scale: tuple[ScaleLevel, ...]
    assessors: tuple[Assessor, ...]
    profiles: tuple[Profile, ...]
    choices: tuple[Choice, ...]

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for profile in self.profiles for item in profile.items)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)

    def level(self, score: int) -> ScaleLevel:
        for level in self.scale:
            if level.score == score:
                return level
        raise KeyError(score)

    def assessor_label(self, code: str) -> str:
        return next((a.label for a in self.assessors if a.code == code), code)

    def profile_for(self, role: str) -> Profile | None:
        """The profile a member with `role` is scored on (None: the member is scored on the family profile only)."""
        return next((p for p in self.profiles if role in p.applies_to), None)

    @property
    def family_profile(self) -> Profile | None:
        return next((p for p in self.profiles if p.is_family), None)


# --- time points ----------------------------------------------------------------------------------------------------


def time_point_code(index: int) -> str:
    """0 is the baseline B; 1, 2, ... are reviews R1, R2, ... (Commissioning for Families with Complex Needs,
    Appendix D)."""
    if index < 0:
        raise ValueError("a time point is 0 (baseline) or a review number")
    return "B" if index == 0 else f"R{index}"


def time_point_label(index: int) -> str:
    return "Baseline" if index == 0 else f"Review {index}"


# --- parsing --------------------------------------------------------------------------------------------------------


def _text(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if value is None or str(value).strip() == "":
        raise DistanceDefinitionError(f"{where}: '{key}' is required")
    return str(value)


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise DistanceDefinitionError(f"{where}: {value!r} is not a code (lower case letters, digits and _)")
    return value


def _profile(raw: Any, index: int) -> Profile:
    if not isinstance(raw, Mapping):
        raise DistanceDefinitionError(f"profiles[{index}]: a mapping")
    code = _code(raw.get("code"), f"profiles[{index}].code")
    applies = raw.get("applies_to")
    applies_to = (applies,) if isinstance(applies, str) else tuple(applies or ())
    if not applies_to or not all(isinstance(a, str) for a in applies_to):
        raise DistanceDefinitionError(f"profile {code}: applies_to is 'family' or a list of member roles")
    if FAMILY in applies_to and len(applies_to) > 1:
        raise DistanceDefinitionError(f"profile {code}: 'family' cannot be mixed with member roles")
    items = tuple(
        Item(
            code=_code(item.get("code"), f"profile {code} item"),
            label=_text(item, "label", f"profile {code} item"),
            profile=code,
            group=str(item.get("group") or ""),
        )
        for item in raw.get("items") or ()
    )
    if not items:
        raise DistanceDefinitionError(f"profile {code}: no items")
    return Profile(
        code, _text(raw, "label", f"profile {code}"), applies_to, _text(raw, "source", f"profile {code}"), items
    )


def parse_definition(raw: Mapping[str, Any]) -> DistanceDefinition:
    """Parse and check a distance-travelled definition: a 1-5 scale, unique codes, each member role on one profile."""
    scale = tuple(
        ScaleLevel(int(level["score"]), _text(level, "level", "scale"), _text(level, "family_wording", "scale"))
        for level in raw.get("scale") or ()
    )
    if tuple(level.score for level in scale) != SCORES:
        raise DistanceDefinitionError("scale: scores 1 to 5, in order, each once")
    profiles = tuple(_profile(item, index) for index, item in enumerate(raw.get("profiles") or ()))
    if not profiles:
        raise DistanceDefinitionError("profiles: at least one")
    codes = [p.code for p in profiles] + [i.code for p in profiles for i in p.items]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise DistanceDefinitionError(f"duplicate profile or item codes: {duplicates}")
    roles = [role for p in profiles for role in p.applies_to]
    if len(roles) != len(set(roles)):
        raise DistanceDefinitionError("a member role (or the family) is on more than one profile")
    assessors = tuple(
        Assessor(_code(a.get("code"), "assessors"), _text(a, "label", "assessors")) for a in raw.get("assessors") or ()
    )
    if not assessors:
        raise DistanceDefinitionError(
            "assessors: at least one (who evaluates progress, Commissioning for Families with Complex Needs s2.4)"
        )
    sources = raw.get("source")
    if not sources:
        raise DistanceDefinitionError("source is required")
    effective = raw.get("effective_from")
    return DistanceDefinition(
        name=_code(raw.get("name"), "name"),
        version=int(raw.get("version") or 0) or _fail("version: a whole number from 1"),
        title=_text(raw, "title", "definition"),
        sources=(sources,) if isinstance(sources, str) else tuple(str(s) for s in sources),
        effective_from=effective if isinstance(effective, dt.date) else dt.date.fromisoformat(str(effective)),
        scale=scale,
        assessors=assessors,
        profiles=profiles,
        choices=tuple(
            Choice(_text(c, "topic", "choices"), _text(c, "choice", "choices"), _text(c, "reason", "choices"))
            for c in raw.get("choices") or ()
        ),
    )


def _fail(message: str) -> int:
    raise DistanceDefinitionError(message)


def load_definition(path: Path) -> DistanceDefinition:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(loaded, Mapping):
        raise DistanceDefinitionError(f"{path.name}: not a mapping")
    try:
        return parse_definition(loaded)
    except (DistanceDefinitionError, KeyError, TypeError, ValueError) as error:
        raise DistanceDefinitionError(f"{path.name}: {error}") from error


# --- checking a set of scores ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """Who a row of scores is about: the family (key FAMILY) or one member (key: the member's id as text)."""

    key: str
    label: str
    role: str  # FAMILY for the family


def items_for(definition: DistanceDefinition, subject: Subject) -> tuple[Item, ...]:
    profile = definition.family_profile if subject.role == FAMILY else definition.profile_for(subject.role)
    return () if profile is None else profile.items


def check_scores(
    definition: DistanceDefinition, subjects: Sequence[Subject], scores: Mapping[tuple[str, str], int]
) -> None:
    """Every score is 1-5 on an item of the subject's profile; at least one item is scored (rule: Appendix D)."""
    if not scores:
        raise ScoreError("Score at least one item.")
    by_key = {subject.key: subject for subject in subjects}
    for (key, item), score in scores.items():
        subject = by_key.get(key)
        if subject is None:
            raise ScoreError(f"{key!r} is not the family or one of its current members.")
        if item not in {i.code for i in items_for(definition, subject)}:
            raise ScoreError(f"{item!r} is not an item of {subject.label}'s profile.")
        if score not in SCORES:
            raise ScoreError(f"A score is 1 to 5, not {score!r}.")


# --- reading change -----------------------------------------------------------------------------------------------


class Movement(enum.StrEnum):
    LESS_NEED = "less_need"
    NO_CHANGE = "no_change"
    # a rise at the first review: expected after engagement (Commissioning for Families with Complex Needs, s2.4)
    MORE_NEED_FOUND = "more_need_found"
    MORE_NEED = "more_need"  # a rise at a later review
    NOT_SCORED = "not_scored"  # baseline or this time point missing: unknown, never counted as progress

    @property
    def label(self) -> str:
        return MOVEMENT_LABELS[self]


MOVEMENT_LABELS = {
    Movement.LESS_NEED: "Less need than at the baseline",
    Movement.NO_CHANGE: "The same as at the baseline",
    Movement.MORE_NEED_FOUND: "More need found since the baseline (expected at first)",
    Movement.MORE_NEED: "Higher than at the baseline",
    Movement.NOT_SCORED: "Not scored at both times",
}


def movement(baseline: int | None, score: int | None, *, time_point: int) -> Movement:
    """How a score at `time_point` compares with the baseline (rule: definition choices 'Scores that rise...')."""
    if baseline is None or score is None or time_point == 0:
        return Movement.NOT_SCORED
    if score < baseline:
        return Movement.LESS_NEED
    if score == baseline:
        return Movement.NO_CHANGE
    return Movement.MORE_NEED_FOUND if time_point == 1 else Movement.MORE_NEED


def distance_travelled(baseline: int | None, latest: int | None) -> int | None:
    """Baseline minus latest: positive is less need; None when either is missing."""
    if baseline is None or latest is None:
        return None
    return baseline - latest


def mean_score(scores: Iterable[int | None]) -> float | None:
    """The average of the scored items; None when nothing was scored (never 0 or 1)."""
    present = [score for score in scores if score is not None]
    return sum(present) / len(present) if present else None
