"""Parsing suppression comments: our own spelling, ruff's noqa, and reasons."""

from __future__ import annotations

import pytest

from banno_migrate.suppressions import may_hold_suppressions, parse_comment, unused_codes


@pytest.mark.parametrize(
    ("comment", "codes", "reason"),
    [
        ("# banno-migrate: ignore", frozenset(), None),
        ("#banno-migrate:ignore[BM001]", frozenset({"BM001"}), None),
        ("# banno-migrate: ignore[BM001, bm004]", frozenset({"BM001", "BM004"}), None),
        ("# banno-migrate: ignore[BM001] reason: mock server", frozenset({"BM001"}), "mock server"),
        ('# banno-migrate: ignore[BM002] reason="tests pin the old issuer"', frozenset({"BM002"}), "tests pin the old issuer"),
        ("# banno-migrate: ignore -- vendored", frozenset(), "vendored"),
        ("# noqa: BM001", frozenset({"BM001"}), None),
        ("# noqa: E501, BM004", frozenset({"BM004"}), None),
        ("# type: ignore  # noqa: BM001", frozenset({"BM001"}), None),
        # JavaScript and INI comments, read as written (BM100 removes them as written).
        ("// banno-migrate: ignore[BM001] reason: mock server", frozenset({"BM001"}), "mock server"),
        ("/* banno-migrate: ignore[BM004] legacy tenant */", frozenset({"BM004"}), "legacy tenant"),
        ("/* noqa: BM002 */", frozenset({"BM002"}), None),
        ("; banno-migrate: ignore", frozenset(), None),
        ("# BANNO-MIGRATE: IGNORE[BM001]", frozenset({"BM001"}), None),
        ("# NoQA: bm001", frozenset({"BM001"}), None),
    ],
)
def test_parsed(comment: str, codes: frozenset[str], reason: str | None) -> None:
    suppression = parse_comment(comment, 3)
    assert suppression is not None
    assert may_hold_suppressions(f"x = 1  {comment}\n")  # a file that holds it is read for comments
    assert (suppression.line, suppression.codes, suppression.reason) == (3, codes, reason)
    assert suppression.comment == comment


@pytest.mark.parametrize(
    "comment", ["# noqa", "# noqa: E501", "# banno-migrate is great", "# ignore[BM001]", "# nosec", "// noqa: E501", "/* eslint-disable */"]
)
def test_not_ours(comment: str) -> None:
    assert parse_comment(comment, 1) is None


def test_a_file_without_either_word_holds_no_suppression() -> None:
    assert not may_hold_suppressions("x = 1  # ignore[BM001]\n# nosec\n/* eslint-disable */\n")


def test_unused_codes_only_judges_rules_that_ran() -> None:
    everything = frozenset({"BM001", "BM004", "BM100"})
    suppression = parse_comment("# banno-migrate: ignore[BM001, BM004]", 1)
    assert unused_codes(suppression, {"BM001"}, frozenset({"BM001", "BM004"}), everything) == ["BM004"]
    assert unused_codes(suppression, {"BM001"}, frozenset({"BM001"}), everything) == []
    blanket = parse_comment("# banno-migrate: ignore", 1)
    assert unused_codes(blanket, set(), frozenset({"BM001", "BM004"}), everything) == ["*"]
    assert unused_codes(blanket, {"BM004"}, frozenset({"BM001", "BM004"}), everything) == []
    # With only some rules selected, a blanket comment may be there for another rule.
    assert unused_codes(blanket, set(), frozenset({"BM001"}), everything) == []
