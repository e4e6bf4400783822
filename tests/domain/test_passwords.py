"""The password deny-list: patterns, names and disguised common passwords are refused; passphrases are not."""

from __future__ import annotations

import pytest

from wholefamily.domain.passwords import pattern_free_length, unmasked, weaknesses

NAMES = ("WholeFamily", "Troubled Families", "Demo County Council")
COMMON = frozenset({"password", "letmein", "sunshine", "football"})


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("aaaaaaaaaaaa", "repeated characters or sequences"),
        ("abcdefghijkl", "repeated characters or sequences"),
        ("123456789012", "repeated characters or sequences"),
        ("qwertyuiop12", "repeated characters or sequences"),
        ("zyxwvutsrqpo", "repeated characters or sequences"),
        ("aaaa1111bbbb2222", "repeated characters or sequences"),
        ("WholeFamily2026!", "name of the council or of this service"),
        ("wh0lef@mily-rocks", "name of the council or of this service"),
        ("I-love-Demo-2026x", "name of the council or of this service"),
        ("P@ssw0rd!2026", "commonly used password"),
        ("Sunshine20261!", "commonly used password"),
    ],
)
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    found = weaknesses(password, names=NAMES, common=COMMON)
    assert any(reason in text for text in found), found


@pytest.mark.parametrize("password", ["river-lantern-quietly-42", "otter meadow candle", "Correct7Horse#Battery"])
def test_passphrases_pass(password):
    assert weaknesses(password, names=NAMES, common=COMMON) == []


def test_helpers():
    assert pattern_free_length("aaaaxyz") == 0  # "aaaa" and "xyz" are runs
    assert pattern_free_length("a-b-c-d") == 7
    assert unmasked("P@ssw0rd!2026") == "password"
    assert unmasked("2026Letmein!") == "letmein"
