"""Small builders shared by the case tests."""

from __future__ import annotations

from django.utils import timezone

TODAY = timezone.localdate()


def all_scores(score: int = 3) -> dict[str, int]:
    from wholefamily.cases import assessment_definition

    return {domain.code: score for domain in assessment_definition.load().domains}
