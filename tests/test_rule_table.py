"""The README's rule table and the rules agree: names and severities.

README, "## The checks": one row per rule (or a few rules of one kind), the rule names in backticks in
the first cell, followed by the severity marker: none for a rule that gives errors only, ``(warning)`` for
warnings only, ``(error or warning)`` for both.  The code declares the same (``@rule(name, severities=…)``,
``generator.rules.READING`` for the reader's findings), and ``tests/test_check_fixtures.py`` holds every
finding of every broken fixture to its rule's declaration.
"""
from __future__ import annotations

import re

from conftest import REPO
from generator.labels import LANGS, labels
from generator.rules import all_severities

MARKERS = {"": ("error",), "(warning)": ("warning",), "(error or warning)": ("error", "warning")}


def readme_table() -> dict[str, tuple[str, ...]]:
    """rule -> the severities the README's rule table states."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The checks\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith("| rule ") and not set(line) <= set("|- "):
            rows.append(line)
        elif rows and not line.startswith("|"):
            break  # the end of the first table
    table: dict[str, tuple[str, ...]] = {}
    for row in rows:
        first = row.split("|")[1].strip()
        names = re.findall(r"`([a-z0-9-]+)`", first)
        marker = re.sub(r"`[a-z0-9-]+`|,", "", first).strip()
        assert names, f"a row without a rule name: {row}"
        assert marker in MARKERS, f"unknown severity marker {marker!r} in: {row}"
        for name in names:
            assert name not in table, f"{name} has two rows in the README's rule table"
            table[name] = MARKERS[marker]
    return table


def test_every_rule_is_in_the_readme_table_and_every_row_is_a_rule():
    table, code = readme_table(), all_severities()
    assert sorted(set(code) - set(table)) == [], "rules missing from the README's table"
    assert sorted(set(table) - set(code)) == [], "README rows naming no rule"


def test_the_readme_states_the_severities_the_rules_declare():
    table, code = readme_table(), all_severities()
    wrong = {name: (table[name], code[name]) for name in code if name in table and set(table[name]) != set(code[name])}
    assert wrong == {}, "README marker vs declared severities"


def test_every_rule_has_a_description_in_both_languages():
    """SARIF's rule list and the reports describe each rule from the catalogue's ``rules`` group."""
    for lang in LANGS:
        described = labels(lang)["rules"]
        assert sorted(set(all_severities()) - set(described)) == [], lang


def test_the_policy_is_written_above_the_table():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## The checks\n", 1)[1]
    assert section.index("Severity policy") < section.index("| rule |")
