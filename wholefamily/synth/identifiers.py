"""Agency identifiers in formats that parse as the real ones but can never belong to a real person.

- NHS number: 10 digits in the 999 range NHS England keeps for testing (never issued), with a valid modulus-11
  check digit.
- National Insurance number: prefix "ZZ" (HMRC never allocates ZZ, nor BG, GB, KN, NK, NT, TN), six digits and a
  suffix A-D.
- Unique Pupil Number: the DfE 13-character form (check letter, then 12 digits starting with local authority
  number 999, which no authority has) with its modulus-23 check letter.
- Police and social care person references are local formats of the fictional force and council.
"""

from __future__ import annotations

import numpy as np

UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def nhs_check_digits(first_nine: np.ndarray) -> np.ndarray:
    """Modulus-11 check digits of 9-digit numbers; 10 marks a number that cannot be completed."""
    total = np.zeros(first_nine.shape, dtype=np.int64)
    value = first_nine.astype(np.int64)
    for weight in range(2, 11):
        total += (value % 10) * weight
        value //= 10
    check = 11 - total % 11
    return np.where(check == 11, 0, check)


def nhs_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` distinct NHS numbers in the 999 test range, in random order."""
    candidates = 999_000_000 + np.arange(1_000_000, dtype=np.int64)
    checks = nhs_check_digits(candidates)
    valid = candidates[checks != 10] * 10 + checks[checks != 10]
    if count > len(valid):
        raise ValueError(f"the NHS test range holds {len(valid)} numbers, {count} asked")
    chosen = rng.choice(len(valid), size=count, replace=False)
    return np.array([f"{number:010d}" for number in valid[chosen]], dtype=object)


def ni_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` distinct National Insurance numbers with the unallocated prefix ZZ."""
    digits = rng.choice(1_000_000 * 4, size=count, replace=False)
    suffixes = np.array(list("ABCD"))[digits % 4]
    return np.array(
        [f"ZZ{number // 4:06d}{suffix}" for number, suffix in zip(digits, suffixes, strict=True)], dtype=object
    )


def upn_check_letter(twelve_digits: str) -> str:
    total = sum(int(char) * weight for char, weight in zip(twelve_digits, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23]


def pupil_numbers(rng: np.random.Generator, count: int) -> np.ndarray:
    """`count` distinct UPNs of the fictional authority 999."""
    serials = rng.choice(1_000_000_000, size=count, replace=False)
    out = []
    for serial in serials:
        digits = f"999{serial:09d}"
        out.append(upn_check_letter(digits) + digits)
    return np.array(out, dtype=object)


def local_references(rng: np.random.Generator, count: int, *, prefix: str, digits: int = 8) -> np.ndarray:
    """`count` distinct local references such as "WP01234567", in random order."""
    numbers = rng.choice(10**digits, size=count, replace=False)
    return np.array([f"{prefix}{number:0{digits}d}" for number in numbers], dtype=object)
