"""Recovery codes for two-step verification, as pure functions: make one, normalise what was typed, hash it.

ADR 0020. A code is 80 random bits (16 base32 letters, shown in four groups of four); the database keeps only a
SHA-256 digest over a random per-code salt and the code, so a copy of the database does not sign anyone in, and 80
bits leave nothing to try offline even though the hash is fast.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

CODE_BYTES = 10
"""80 bits: 16 base32 letters."""
SALT_BYTES = 16


def new_code() -> str:
    """A fresh recovery code, lower-case base32 (a-z and 2-7), 16 letters."""
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").lower()


def shown(code: str) -> str:
    """The code as a person reads it: four groups of four, joined by hyphens."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalised(typed: str) -> str:
    """What a person typed, as stored codes are hashed: spaces and hyphens out, lower case."""
    return "".join(typed.split()).replace("-", "").lower()


def new_salt() -> str:
    return secrets.token_hex(SALT_BYTES)


def digest(code: str, *, salt: str) -> str:
    """The stored form of a code: hex SHA-256 over the salt and the normalised code."""
    return hashlib.sha256(f"{salt}:{normalised(code)}".encode()).hexdigest()


def matches(typed: str, *, salt: str, stored_digest: str) -> bool:
    """Whether a typed code is the one stored (compared in constant time)."""
    return hmac.compare_digest(digest(typed, salt=salt), stored_digest)
