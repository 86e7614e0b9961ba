"""What a legacy manual brings in, and what ``manual init``/``manual import`` leave to be filled in.

* ``imported`` (warning): a document or form marked ``imported: true``, imported
  from a legacy file by ``manual import`` and not yet reviewed, at the line of the
  flag.  While it is there the sign-off, code and citation checks report on the
  file as warnings (``rules.UNREVIEWED``), a draft included; ``--strict`` and
  ``manual release`` refuse the manual until the file is reviewed and the flag
  removed.
* ``effective-date-incomplete`` (warning): an imported, not yet reviewed file whose
  ``effective:`` is a 生效日期 the legacy file left blank (``2019年 月 日``, written by
  ``manual import`` as ``2019年月日``), at that line: a warning, not the schema's error,
  so the imported manual builds; filling in the date is the fix.
* ``placeholder`` (warning): a value or a line of prose that still holds
  ``generator.model.PLACEHOLDER`` (【待填写】), which ``manual init`` writes for
  the company's name and the signers' names and ``manual import`` writes where
  the legacy file did not say; at its line and column, in any source file.
  Comment lines of YAML files are not values and are not reported.
"""
from __future__ import annotations

from ..common.findings import Location, warning
from ..model import PLACEHOLDER
from . import rule
from .approvals import items
from .terminology import sources


@rule("imported", severities=("warning",))
def imported(manual):
    return [warning("imported", item.loc("imported"), "imported") for item in items(manual) if item.imported]


@rule("effective-date-incomplete", severities=("warning",))
def effective_date_incomplete(manual):
    return [warning("effective-date-incomplete", item.loc("effective"), "effective-date-incomplete",
                    written=item.written_effective)
            for item in items(manual) if item.imported and item.written_effective]


def source_paths(manual) -> list[str]:
    """Every source file the model was read from, in a fixed order."""
    paths = [manual.config_path] if manual.has_config else []
    paths += [manual.org_path] if manual.has_org else []
    paths += [manual.people_path] if manual.has_people else []
    paths += [manual.distribution_path] if manual.copies else []
    paths += [manual.external_path] if manual.has_external else []
    paths += [item.path for item in items(manual)]
    paths += [request.path for request in manual.changes.values()]
    return list(dict.fromkeys(paths))


def _shown(line: str, yaml_file: bool) -> str:
    """The line as the message quotes it: trimmed, without a YAML comment, at most 50 characters."""
    if yaml_file and " #" in line:
        line = line[: line.index(" #")]
    line = line.strip()
    return line if len(line) <= 50 else line[:49] + "…"


@rule("placeholder", severities=("warning",))
def placeholder(manual):
    located = sources(manual)
    findings = []
    for path in source_paths(manual):
        source = located.get(path)
        if source is None or PLACEHOLDER not in source[0]:
            continue
        text, starts = source
        yaml_file = path.endswith((".yaml", ".yml"))
        for number, start in enumerate(starts, 1):
            end = starts[number] - 1 if number < len(starts) else len(text)
            line = text[start:end]
            column = line.find(PLACEHOLDER)
            if column == -1 or (yaml_file and line.lstrip().startswith("#")):
                continue
            findings.append(warning("placeholder", Location(path, number, column + 1), "placeholder",
                                    marker=PLACEHOLDER, text=_shown(line, yaml_file)))
    return findings
