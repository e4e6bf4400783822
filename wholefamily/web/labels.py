"""Words for codes: the one place a page turns a definition's or a model's code into the label people read.

Labels come from where the codes are defined, never from a second copy: every `code`/`label` pair in the
versioned definition files (programmes/ and definitions/: problems, indicators, routes, results, outcome measures,
code lists), the domain's enumerations that carry a `label` (stages, roles, destinations...), the models' choices,
and the audit log's action names below (the audit door takes free-form action strings, so their words live here).
A code nobody labelled is shown in words made from it ("record_goal_achievement" reads "Record goal achievement"),
never as it is stored.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.conf import settings
from django.db import models

from wholefamily.domain import pathway, roles
from wholefamily.domain.claims import states

# The audit log's actions (governance.audit.record's `action`), as the log's reader says them.
AUDIT_ACTIONS: dict[str, str] = {
    "view": "Looked at a record",
    "change": "Tried to change a record",
    "create": "Created",
    "append": "Added",
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "sign_in_failed": "Sign-in failed",
    "start_job": "Started a background job",
    "finish_job": "Background job finished",
    "cancel_job": "Cancelled a background job",
    "import_dataset": "Imported a data set",
    "view_import_report": "Looked at an import report",
    "download_import_report": "Downloaded an import report",
    "change_roles": "Changed a member of staff's roles",
    "create_demo_user": "Created a demo user",
    "create_demo_team": "Created a demo team",
    "move_demo_user": "Moved a demo user to a team",
    "load_demo_county": "Loaded the demo county",
    "synth.generate_county": "Generated the synthetic county",
    "linkage.run.start": "Started a linkage run",
    "linkage.run.publish": "Published a linkage run",
    "linkage.run.fail": "Linkage run failed",
    "linkage.person.view": "Looked at a linked person",
    "linkage.household.correct": "Corrected a household",
    "linkage.review.decide": "Decided a clerical review",
    "identification.run": "Ran identification",
    "identification.judgement.enter": "Recorded a professional judgement",
    "identification.judgement.withdraw": "Withdrew a professional judgement",
    "identification.cohort.export": "Exported a cohort",
    "outcomes.measure": "Measured outcomes",
    "outcomes.record_distance_travelled": "Recorded distance travelled",
    "claims.compute": "Computed claims",
    "claims.view": "Looked at a claim",
    "claims.export": "Exported claims",
    "claims.change_state": "Changed a claim's state",
    "claims.spot_check": "Drew a spot-check sample",
    "reporting.build_board_pack": "Built a board pack",
    "reporting.download_board_pack": "Opened a board pack's file",
}

_ENUMS: tuple[type[enum.Enum], ...] = (
    pathway.Stage,
    pathway.Destination,
    pathway.ReferralSource,
    pathway.GatekeepingDecision,
    pathway.Origin,
    pathway.MemberRole,
    pathway.EventCode,
    pathway.LedgerKind,
    pathway.LedgerStatus,
    roles.Role,
    states.ClaimState,
)
# Codes of definitions that are ordinary words or numbers ("crime", "2016-01") are not codes a page could show
# by mistake; only these shapes are checked on pages (a snake_case or dotted identifier).
_CODE_SHAPE = re.compile(r"^[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+$")


def _definition_files() -> Iterator[Path]:
    for folder in (Path(settings.PROGRAMMES_DIR), Path(settings.DEFINITIONS_DIR)):
        yield from sorted(folder.rglob("*.yaml"))


def _pairs(node: Any) -> Iterator[tuple[str, str]]:
    """Every mapping with a string `code` and a string `label`, at any depth."""
    if isinstance(node, dict):
        code, label = node.get("code"), node.get("label")
        if isinstance(code, str) and isinstance(label, str) and label.strip():
            yield code, label.strip()
        programme, title = node.get("programme"), node.get("title")  # a programme's definition names it
        if isinstance(programme, str) and isinstance(title, str) and title.strip():
            yield programme, title.strip()
        for value in node.values():
            yield from _pairs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _pairs(item)


def _enum_pairs() -> Iterator[tuple[str, str]]:
    for enumeration in _ENUMS:
        for member in enumeration:
            label = getattr(member, "label", None)
            if isinstance(label, str):
                yield str(member.value), label


def _model_choice_pairs() -> Iterator[tuple[str, str]]:
    for model in apps.get_models():
        if not model.__module__.startswith("wholefamily."):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    yield value, str(label)


def _choose(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """One label per code: a code labelled in several places takes its shortest label (tables have little room)."""
    chosen: dict[str, str] = {}
    for code, label in pairs:
        if code not in chosen or len(label) < len(chosen[code]):
            chosen[code] = label
    return chosen


@functools.cache
def vocabulary() -> dict[str, str]:
    """Every known code with its label, read once per process."""
    from_definitions: list[tuple[str, str]] = []
    for path in _definition_files():
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError:
            continue  # a broken definition is reported by its own loader, not by the page that labels it
        from_definitions.extend(_pairs(document))
    chosen = _choose([*from_definitions, *_enum_pairs(), *_model_choice_pairs()])
    return {**chosen, **AUDIT_ACTIONS}


def in_words(code: str) -> str:
    """A code nobody labelled, said in words: "cases.record_goal_achievement" -> "Cases: record goal achievement"."""
    text = str(code).strip()
    if not text:
        return ""
    *scopes, last = text.split(".")
    words = last.replace("_", " ").replace("-", " ").strip()
    if scopes:
        return f"{scopes[0].replace('_', ' ').capitalize()}: {words}"
    return words[:1].upper() + words[1:]


def label_for(code: object) -> str:
    """The label of a code (a string, an enum member, a model choice); words made from it if nobody labelled it."""
    if code is None:
        return ""
    if isinstance(code, enum.Enum):
        code = code.value
    text = str(code)
    known = vocabulary().get(text)
    return known if known is not None else in_words(text)


def object_type_label(object_type: str) -> str:
    """An audit event's object type ("cases.case") as the model's name ("Case")."""
    try:
        model: type[models.Model] = apps.get_model(object_type)
    except (LookupError, ValueError):
        return in_words(object_type)
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def page_codes() -> frozenset[str]:
    """The known codes shaped like identifiers: a page that shows one shows a code where a label belongs."""
    return frozenset(code for code in vocabulary() if _CODE_SHAPE.match(code))


def actor_label(label: str) -> str:
    """An audit event's actor: a username, or work the system did ("system:load_demo_county") in words."""
    if label.startswith("system:"):
        return f"The system ({label_for(label.removeprefix('system:')).lower()})"
    return label
