"""The spot-check sample: a chosen percentage of a window's claims, drawn at random but reproducible by its seed."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from decimal import Decimal


def spot_check_sample(*, claims: Sequence[str], percent: Decimal, seed: int) -> tuple[str, ...]:
    """At least `percent` of the claims (rounded up; none of none), the same for the same claims, percentage and
    seed whatever order the claims come in."""
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValueError("the sample is between 0% and 100% of the claims")
    ordered = sorted(set(claims))
    size = math.ceil(len(ordered) * percent / 100)
    chosen = random.Random(seed).sample(ordered, size)
    return tuple(sorted(chosen))
