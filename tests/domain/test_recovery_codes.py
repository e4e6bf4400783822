"""Recovery codes: 80 random bits, shown in groups, typed any way, stored as a salted digest (ADR 0020)."""

from __future__ import annotations

import re

import pytest

from wholefamily.domain import recovery_codes


def test_a_code_is_sixteen_base32_letters_shown_in_four_groups():
    code = recovery_codes.new_code()
    assert re.fullmatch(r"[a-z2-7]{16}", code)
    assert re.fullmatch(r"[a-z2-7]{4}(-[a-z2-7]{4}){3}", recovery_codes.shown(code))
    assert len({recovery_codes.new_code() for _ in range(200)}) == 200


@pytest.mark.parametrize("typed", ["abcd-efgh-ijkl-mnop", "ABCD EFGH IJKL MNOP", " abcdefghijklmnop\n"])
def test_what_was_typed_matches_however_it_was_spaced(typed):
    salt = recovery_codes.new_salt()
    stored = recovery_codes.digest("abcdefghijklmnop", salt=salt)
    assert recovery_codes.matches(typed, salt=salt, stored_digest=stored)
    assert not recovery_codes.matches("abcdefghijklmnoq", salt=salt, stored_digest=stored)


def test_the_same_code_under_two_salts_has_two_digests_neither_holding_the_code():
    one = recovery_codes.digest("abcdefghijklmnop", salt=recovery_codes.new_salt())
    two = recovery_codes.digest("abcdefghijklmnop", salt=recovery_codes.new_salt())
    assert one != two and "abcdefghijklmnop" not in one + two
