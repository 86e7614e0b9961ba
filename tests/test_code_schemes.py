"""``manual new`` under code schemes other than the shipped NNNN-YYYY: prefixed, clause-numbered, without a year."""
from __future__ import annotations

import json

import pytest
import yaml

from conftest import MINIMAL, copy_manual, run_cli

PINNED = {"MANUAL_TODAY": "2020-04-15"}
SHIPPED_SCHEME = """code_scheme:
  pattern: '^(?P<chapter>\\d{2})(?P<seq>\\d{2})-(?P<year>\\d{4})$'
  format: '{chapter:02d}{seq:02d}-{year}'
  year: 2020
  example: 0101-2020
"""

# name: (code_scheme block, chapter number, the two documents' codes, the form's code,
#        the next document code, the next form code for the second document)
SCHEMES = {
    "NNNN-YYYY": (SHIPPED_SCHEME + "  form_pattern: '^\\d{4}-F\\d+$'\n", "01",
                  ("0101-2020", "0102-2020"), "0101-F1", "0103-2020", "0102-F1"),
    "YD-NNNN-YYYY": ("""code_scheme:
  pattern: '^YD-(?P<chapter>\\d{2})(?P<seq>\\d{2})-(?P<year>\\d{4})$'
  format: 'YD-{chapter:02d}{seq:02d}-{year}'
  year: 2013
  example: YD-0302-2013
  form_pattern: '^YD-\\d{4}-F\\d+$'
""", "03", ("YD-0301-2013", "YD-0302-2013"), "YD-0301-F1", "YD-0303-2013", "YD-0302-F1"),
    "QP-7.5-01": ("""code_scheme:
  pattern: '^QP-(?P<chapter>\\d+(?:\\.\\d+)*)-(?P<seq>\\d{2})$'
  format: 'QP-{chapter}-{seq:02d}'
  example: QP-7.5-01
  form_pattern: '^QP-\\d+(\\.\\d+)*-\\d{2}-F\\d+$'
""", "7.5", ("QP-7.5-01", "QP-7.5-02"), "QP-7.5-01-F1", "QP-7.5-03", "QP-7.5-02-F1"),
    "NNNN (no year)": ("""code_scheme:
  pattern: '^(?P<chapter>\\d{2})(?P<seq>\\d{2})$'
  format: '{chapter:02d}{seq:02d}'
  example: '0101'
""", "01", ("0101", "0102"), "0101-F1", "0103", "0102-F1"),
}


def rewrite(root, scheme: str, chapter: str, codes, form_code: str):
    """The minimal manual renumbered into another scheme (codes, file names, chapter, form code)."""
    renames = {"0101-2020": codes[0], "0102-2020": codes[1], "0101-F1": form_code}
    config = root / "manual/manual.yaml"
    text = config.read_text(encoding="utf-8")
    text = text.replace(SHIPPED_SCHEME, scheme).replace('number: "01"', f'number: "{chapter}"')
    for path in [config, *root.glob("policies/*.md"), *root.glob("forms/*.yaml")]:
        if path != config:
            text = path.read_text(encoding="utf-8")
        for old, new in renames.items():
            text = text.replace(old, f"'{new}'")  # quoted: 0101 alone would read as a number
        path.write_text(text, encoding="utf-8")
    for old, new in renames.items():
        if (root / f"policies/{old}.md").exists():
            (root / f"policies/{old}.md").rename(root / f"policies/{new}.md")


def check(root):
    result = run_cli("check", "--root", root, "--format", "json", "--lang", "en", env=PINNED)
    return json.loads(result.stdout)


@pytest.mark.parametrize("name", sorted(SCHEMES))
def test_new_document_and_form_codes_follow_the_scheme(tmp_path, name):
    scheme, chapter, codes, form_code, next_code, next_form = SCHEMES[name]
    root = copy_manual(MINIMAL, tmp_path / "m")
    rewrite(root, scheme, chapter, codes, form_code)
    before = check(root)
    assert before["errors"] == 0 and before["warnings"] == 0, before["findings"]  # the renumbering is sound

    made = run_cli("new", "policy", "--title", "新制度", "--root", root, env=PINNED)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().endswith(f"policies/{next_code}.md")
    again = run_cli("new", "policy", "--title", "另一制度", "--chapter", chapter, "--root", root, env=PINNED)
    assert again.returncode == 0, again.stderr

    form = run_cli("new", "form", "--title", "登记表", "--document", codes[1], "--root", root, env=PINNED)
    assert form.returncode == 0, form.stderr
    written = yaml.safe_load((root / form.stdout.strip()).read_text(encoding="utf-8"))
    assert written["code"] == next_form
    loose = run_cli("new", "form", "--title", "章节表", "--root", root, env=PINNED)
    assert loose.returncode == 0, loose.stderr

    after = check(root)
    assert after["errors"] == 0, after["findings"]
    assert not [f for f in after["findings"] if f["rule"] in ("code-scheme", "code-year", "form-code")]


def test_a_form_pattern_no_derived_code_fits_is_refused_clearly(tmp_path):
    scheme, chapter, codes, form_code, _, _ = SCHEMES["YD-NNNN-YYYY"]
    root = copy_manual(MINIMAL, tmp_path / "m")
    rewrite(root, scheme.replace("form_pattern: '^YD-\\d{4}-F\\d+$'", "form_pattern: '^(YD-\\d{4}-F\\d+|R-\\d{3})$'"),
            chapter, codes, form_code)
    (root / "manual/manual.yaml").write_text((root / "manual/manual.yaml").read_text(encoding="utf-8")
                                             .replace("^(YD-\\d{4}-F\\d+|R-\\d{3})$", "^R-\\d{3}$"), encoding="utf-8")
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = run_cli("new", "form", "--title", "登记表", "--document", codes[1], "--root", root, "--lang", "en",
                     env=PINNED)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "'YD-0302-F1'" in result.stderr and "form_pattern" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before  # nothing written
