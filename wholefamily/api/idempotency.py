"""Idempotency keys for writes: the same key again gets the first answer, and nothing is written twice (ADR 0026)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from wholefamily.api.models import IdempotentAnswer

KEY_MAX = 120
IN_PROGRESS = 0


class KeyReused(Exception):
    """The key was first sent with a different request."""


def fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, cls=DjangoJSONEncoder).encode()).hexdigest()


def once(
    *, user: User, key: str | None, operation: str, body: Any, do: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run `do` (answering status and body) once for this user's key; a repeat gets the kept answer."""
    if not key:
        return do()
    digest = fingerprint({"operation": operation, "body": body})
    try:
        # Claim the key first (its own short transaction): a second call with it now waits for no lock and gets
        # either the kept answer or "in progress"; the write itself runs in the services' own transactions, so a
        # refusal they audit stays audited.
        with transaction.atomic():
            claim = IdempotentAnswer.objects.create(
                user=user, key=key, operation=operation, fingerprint=digest, status=IN_PROGRESS, body={}
            )
    except IntegrityError:
        kept = IdempotentAnswer.objects.filter(user=user, key=key).first()
        if kept is None or kept.fingerprint != digest:
            raise KeyReused from None
        if kept.status == IN_PROGRESS:
            return 409, {"detail": "A request with this Idempotency-Key is still being answered: try again shortly."}
        return kept.status, kept.body
    try:
        status, answer = do()
    except BaseException:
        claim.delete()  # nothing was written: the key may be used again
        raise
    plain = json.loads(json.dumps(answer, cls=DjangoJSONEncoder))
    IdempotentAnswer.objects.filter(pk=claim.pk).update(status=status, body=plain)
    return status, plain
