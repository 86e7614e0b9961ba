"""``manual approve``: record a sign-off step with the content's fingerprint.

    manual approve CODE --step prepared|reviewed|approved --name NAME [--role R] [--date YYYY-MM-DD]

CODE is a document's code, or a form's id or code.  The step's name, role
(default: the role already recorded), date (default: today) and
``fingerprint: sha256:…`` are written into the front matter (or the form's
YAML) by a targeted edit of the text of that one sign-off entry: comments,
key order and the rest of the file stay exactly as they were.  The file is
written atomically; CRLF line endings and a BOM are kept.

It refuses (exit 1, with the findings) when the document would have errors
after signing — other than those that signing the remaining steps clears
(a missing later step, later steps now stale or out of date order) — in
particular when the role may not sign that step (``signoff_policy``), when
the preparer would also be the approver, when the content changed without
a version bump, or when an earlier step is missing or was signed for other
content.  Unknown codes, a missing role and bad dates are usage errors
(exit 2).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from functools import partial
from pathlib import Path

import yaml

from ..common.suggest import closest
from ..errors import ApproveError, UsageError
from ..labels import step_label
from ..model import SIGNOFF_STEPS, Document, SignOff
from ..model.fingerprint import fingerprint
from .yamltext import flow_mapping, read_source_text, write_source_text, yaml_scalar

# Findings that signing the remaining steps clears: not a reason to refuse,
# unless they stand on the lines of the step being signed.
TRANSIENT = {"signoff-complete", "signoff-order", "approval-stale"}
ENTRY_KEYS = ("name", "role", "date", "version", "fingerprint", "sample")  # a sign-off entry's keys, as SignOff holds them


# -- finding the item ---------------------------------------------------------
def find_item(manual, key: str):
    for doc in manual.documents:
        if doc.code == key:
            return doc
    for form in manual.forms.values():
        if key in (form.id, form.code):
            return form
    return None


def candidates(manual) -> list[str]:
    return [d.code for d in manual.documents if d.code] + \
        [k for f in manual.forms.values() for k in (f.id, f.code) if k]


# -- YAML text edits ----------------------------------------------------------
def _content_end(node) -> int:
    """Index just after the last character of ``node``'s own text."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        key, value = node.value[-1]
        end = _content_end(value)
        return max(end, key.end_mark.index)
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _content_end(node.value[-1])
    return node.end_mark.index


def _end_of_line(text: str, index: int) -> int:
    while index > 0 and text[index - 1] in " \t\n":
        index -= 1
    end = text.find("\n", index)
    return len(text) if end == -1 else end


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _column(text: str, index: int) -> int:
    return index - _line_start(text, index)


def _find(mapping, key):
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None, None


def set_signoff(text: str, step: str, entry: dict, base: int = 0, end: int | None = None) -> str:
    """``text`` with the sign-off ``step`` set to ``entry``.

    ``text[base:end]`` is the YAML (a document's front matter, or a whole
    form).  Only the text of that one entry changes.
    """
    end = len(text) if end is None else end
    root = yaml.compose(text[base:end], Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise ValueError("the YAML is not a mapping")

    def at(i):
        return base + i

    key, signoff = _find(root, "signoff")
    line = f"{step}: {flow_mapping(entry)}"
    if key is None:  # no signoff at all: add it at the end of the mapping
        pos = _end_of_line(text, at(_content_end(root)))
        return text[:pos] + f"\nsignoff:\n  {line}" + text[pos:]
    indent = " " * (_column(text, at(key.start_mark.index)) + 2)

    if isinstance(signoff, yaml.ScalarNode) or (isinstance(signoff, yaml.MappingNode) and signoff.flow_style):
        # `signoff:` (empty) or `signoff: {…}`: rewrite as a block mapping
        entries = {}
        if isinstance(signoff, yaml.MappingNode):
            for k, v in signoff.value:
                entries[k.value] = text[at(v.start_mark.index):at(v.end_mark.index)]
        entries[step] = flow_mapping(entry)
        ordered = [s for s in SIGNOFF_STEPS if s in entries] + [s for s in entries if s not in SIGNOFF_STEPS]
        block = "".join(f"\n{indent}{s}: {entries[s]}" for s in ordered)
        if isinstance(signoff, yaml.ScalarNode) and signoff.start_mark.index == signoff.end_mark.index:
            pos = at(key.end_mark.index)
            colon = text.index(":", pos)
            rest_of_line = text[colon + 1:_end_of_line(text, colon + 1)]
            if rest_of_line.strip() and not rest_of_line.strip().startswith("#"):
                raise ValueError("unexpected text after 'signoff:'")
            eol = colon + 1 + len(rest_of_line)
            return text[:eol] + block + text[eol:]
        start, stop = at(signoff.start_mark.index), at(signoff.end_mark.index)
        eol = text.find("\n", stop)
        eol = len(text) if eol == -1 else eol
        after = text[stop:eol]  # keep a trailing comment where it was: on the `signoff:` line
        if after.strip() and not after.strip().startswith("#"):
            raise ValueError("unexpected text after the signoff mapping")
        return text[:start].rstrip(" ") + (after if after.strip() else "") + block + text[eol:]

    if not isinstance(signoff, yaml.MappingNode):
        raise ValueError("signoff is not a mapping")
    indent = " " * _column(text, at(signoff.value[0][0].start_mark.index)) if signoff.value else indent
    skey, value = _find(signoff, step)
    if skey is None:  # a new step: after the steps that come before it
        before = [(k, v) for k, v in signoff.value if k.value in SIGNOFF_STEPS
                  and SIGNOFF_STEPS.index(k.value) < SIGNOFF_STEPS.index(step)]
        if before:
            pos = _end_of_line(text, at(_content_end(before[-1][1])))
            return text[:pos] + f"\n{indent}{line}" + text[pos:]
        first = at(signoff.value[0][0].start_mark.index)
        return text[:first] + f"{line}\n{indent}" + text[first:]

    if isinstance(value, yaml.ScalarNode):  # `prepared:` with nothing, or ~
        start, stop = at(value.start_mark.index), at(value.end_mark.index)
        if start == stop:
            return text[:start] + " " + flow_mapping(entry) + text[start:]
        return text[:start] + flow_mapping(entry) + text[stop:]
    if not isinstance(value, yaml.MappingNode):
        raise ValueError(f"signoff.{step} is not a mapping")
    if value.flow_style:
        return text[:at(value.start_mark.index)] + flow_mapping(entry) + text[at(value.end_mark.index):]

    # a block mapping: change each value in place, add new keys, drop removed ones
    edits = []  # (start, stop, replacement), applied from the end
    inner = " " * _column(text, at(value.value[0][0].start_mark.index))
    present = {k.value: (k, v) for k, v in value.value}
    for k, (knode, vnode) in present.items():
        if k not in entry:
            start = _line_start(text, at(knode.start_mark.index))
            stop = _end_of_line(text, at(_content_end(vnode)))
            edits.append((start, min(stop + 1, len(text)), ""))
        elif isinstance(vnode, yaml.ScalarNode) and vnode.start_mark.index == vnode.end_mark.index:
            edits.append((at(vnode.start_mark.index), at(vnode.start_mark.index), " " + yaml_scalar(entry[k], flow=True)))
        else:
            edits.append((at(vnode.start_mark.index), at(vnode.end_mark.index), yaml_scalar(entry[k], flow=True)))
    new_keys = [k for k in entry if k not in present]
    if new_keys:
        last = [(k, v) for k, v in value.value if k.value in entry]
        anchor = last[-1][1] if last else value.value[-1][1]
        pos = _end_of_line(text, at(_content_end(anchor)))
        edits.append((pos, pos, "".join(f"\n{inner}{k}: {yaml_scalar(entry[k], flow=True)}" for k in new_keys)))
    for start, stop, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[stop:]
    return text


# -- the command ----------------------------------------------------------------
def _yaml_span(item, text: str) -> tuple[int, int]:
    """(start, end) of the YAML part of the item's text."""
    if isinstance(item, Document):
        from ..read.reader import split_front_matter
        front, _, _, _ = split_front_matter(text)
        return 4, 4 + len(front)
    return 0, len(text)


def _reread(manual, item, text: str):
    """The item as read from ``text``, with the reader's findings."""
    from ..model import build
    from ..read import reader

    with tempfile.TemporaryDirectory(prefix="manual-approve-") as tmp:
        path = Path(tmp) / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if isinstance(item, Document):
            file, findings = reader.read_document(Path(tmp), path)
            return (build.document(file) if file else None), findings
        file, findings = reader.read_form(Path(tmp), path)
        return (build.form(file) if file else None), findings


def _with_item(manual, old, new):
    if isinstance(old, Document):
        manual.documents = [new if d is old else d for d in manual.documents]
    else:
        manual.forms = {k: (new if f is old else f) for k, f in manual.forms.items()}


def _entry_lines(item, step) -> set[int]:
    return {item.positions.at(path)[0] for path in item.positions.spots if path[:2] == ("signoff", step)}


def _entry(item, step: str, signed: SignOff) -> dict:
    """The sign-off entry to write: the keys already written first, in their order, then the new ones."""
    spots = sorted((item.positions.at(path), path[2]) for path in item.positions.spots
                   if len(path) == 3 and path[:2] == ("signoff", step) and path[2] in ENTRY_KEYS)
    order = list(dict.fromkeys([key for _, key in spots] + ["name", "role", "date", "version", "fingerprint"]))
    values = {key: getattr(signed, key) for key in ENTRY_KEYS}
    return {key: values[key] for key in order
            if (key != "sample" or signed.sample) and (key != "version" or signed.version)}


# What signing may change besides the sign-off: where things stand in the file (the edit adds lines).
MAY_CHANGE = {"signoff_steps", "positions", "meta", "body_line", "blocks", "source_sha256"}


def _same_but_signoff(old, new, step: str) -> bool:
    """Whether ``new`` is ``old`` with only the sign-off ``step`` changed."""
    fields = [f.name for f in dataclasses.fields(old) if f.name not in MAY_CHANGE]
    return all(getattr(old, name) == getattr(new, name) for name in fields) and \
        {s: v for s, v in old.signoff_steps.items() if s != step} == \
        {s: v for s, v in new.signoff_steps.items() if s != step}


def approve(root: Path, key: str, step: str, name: str, role: str | None = None,
            date: dt.date | None = None) -> dict:
    """Sign ``step`` of the document or form ``key``; returns what was written.

    Raises ``UsageError`` for usage problems and ``ApproveError`` for refusals.
    Nothing is written unless it succeeds.
    """
    from ..model.build import read_manual
    from ..model.review import today
    from ..rules import run_rules

    if step not in SIGNOFF_STEPS:
        raise UsageError("cli.approve.step_unknown", step=step, choices=", ".join(SIGNOFF_STEPS))
    name = (name or "").strip()
    if not name:
        raise UsageError("cli.approve.name_empty")
    manual, _ = read_manual(root)
    item = find_item(manual, key)
    if item is None:
        close = closest(key, candidates(manual))
        raise UsageError("cli.approve.unknown_item_hint" if close else "cli.approve.unknown_item", key=key, close=close)
    old = item.signoff(step)
    role = (role or "").strip() or (old.role if old and old.role else None)
    if not role:
        raise UsageError("cli.approve.no_role", path=item.path, step=step, step_label=partial(step_label, step))
    date = date or today(manual)

    for earlier in SIGNOFF_STEPS[:SIGNOFF_STEPS.index(step)]:
        if item.signoff(earlier) is None:
            raise ApproveError("cli.approve.earlier_missing", path=item.path, earlier=earlier,
                               earlier_label=partial(step_label, earlier))

    fp = fingerprint(item, manual)
    for earlier in SIGNOFF_STEPS[:SIGNOFF_STEPS.index(step)]:
        s = item.signoff(earlier)
        if s.fingerprint and s.fingerprint != fp:
            raise ApproveError("cli.approve.earlier_stale", path=item.path, earlier=earlier, key=key,
                               earlier_label=partial(step_label, earlier))

    # a sample flag belongs to the sample name it marked
    # 批准 records the version it approves: the baseline of the version check (``model.versions``)
    signed = SignOff(step, name, role, date, fp, sample=bool(old and old.sample and old.name == name),
                     version=item.version or None if step == "approved" else None)
    entry = _entry(item, step, signed)

    path = Path(manual.root) / item.path
    text, eol, bom = read_source_text(path)
    start, end = _yaml_span(item, text)
    try:
        new_text = set_signoff(text, step, entry, start, end)
    except (ValueError, yaml.YAMLError) as exc:
        raise UsageError("cli.approve.signoff_unreadable", path=item.path, reason=exc) from None

    new_item, reader_findings = _reread(manual, item, new_text)
    if new_item is None or new_item.signoff(step) != signed or not _same_but_signoff(item, new_item, step) \
            or fingerprint(new_item, manual) != fp:
        raise RuntimeError(f"{item.path}: editing the sign-off text did not give the expected data; "
                           "nothing was written")
    _with_item(manual, item, new_item)
    findings = [f for f in reader_findings + run_rules(manual) if f.path == item.path and f.severity == "error"]
    lines = _entry_lines(new_item, step)
    blocking = [f for f in findings if f.rule not in TRANSIENT or f.line in lines]
    if blocking:
        raise ApproveError("cli.approve.refused", findings=blocking, path=item.path)

    write_source_text(path, new_text, eol, bom)
    return {"path": item.path, "step": step, "name": name, "role": role, "date": date, "fingerprint": fp,
            "line": new_item.loc("signoff", step).line}
