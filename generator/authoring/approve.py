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

from ..errors import ApproveError

import datetime as dt
import difflib
import json
import os
import tempfile
from pathlib import Path

import yaml

from ..model.fingerprint import fingerprint
from ..model import SIGNOFF_STEPS
from ..common.outputs import atomic_write_bytes

STEP_ZH = {"prepared": "编制", "reviewed": "审核", "approved": "批准"}
BOM = "\ufeff"
# Findings that signing the remaining steps clears: not a reason to refuse,
# unless they stand on the lines of the step being signed.
TRANSIENT = {"signoff-complete", "signoff-order", "approval-stale"}


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
def yaml_scalar(value) -> str:
    """``value`` as YAML text that reads back as the same value in flow and block context."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    try:
        plain_ok = (yaml.safe_load(f"k: {text}") == {"k": text}
                    and yaml.safe_load(f"{{k: {text}}}") == {"k": text}
                    and "#" not in text and text == text.strip())
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text, ensure_ascii=False)


def flow_mapping(entry: dict) -> str:
    return "{" + ", ".join(f"{k}: {yaml_scalar(v)}" for k, v in entry.items()) + "}"


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
            edits.append((at(vnode.start_mark.index), at(vnode.start_mark.index), " " + yaml_scalar(entry[k])))
        else:
            edits.append((at(vnode.start_mark.index), at(vnode.end_mark.index), yaml_scalar(entry[k])))
    new_keys = [k for k in entry if k not in present]
    if new_keys:
        last = [(k, v) for k, v in value.value if k.value in entry]
        anchor = last[-1][1] if last else value.value[-1][1]
        pos = _end_of_line(text, at(_content_end(anchor)))
        edits.append((pos, pos, "".join(f"\n{inner}{k}: {yaml_scalar(entry[k])}" for k in new_keys)))
    for start, stop, replacement in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[stop:]
    return text


# -- the command ----------------------------------------------------------------
def _yaml_span(item, text: str) -> tuple[int, int]:
    """(start, end) of the YAML part of the item's text."""
    if hasattr(item, "blocks"):
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
        if hasattr(item, "blocks"):
            file, findings = reader.read_document(Path(tmp), path)
            return (build.document(file) if file else None), findings
        file, findings = reader.read_form(Path(tmp), path)
        return (build.form(file) if file else None), findings


def _with_item(manual, old, new):
    if hasattr(old, "blocks"):
        manual.documents = [new if d is old else d for d in manual.documents]
    else:
        manual.forms = {k: (new if f is old else f) for k, f in manual.forms.items()}


def _entry_lines(item, step) -> set[int]:
    return {item.positions.at(path)[0] for path in item.positions.spots if path[:2] == ("signoff", step)}


def approve(root: Path, key: str, step: str, name: str, role: str | None = None,
            date: dt.date | None = None) -> dict:
    """Sign ``step`` of the document or form ``key``; returns what was written.

    Raises ``LookupError``/``ValueError`` for usage problems and
    ``ApproveError`` for refusals.  Nothing is written unless it succeeds.
    """
    from ..model.build import read_manual
    from ..model.review import today
    from ..rules import run_rules

    if step not in SIGNOFF_STEPS:
        raise ValueError(f"--step {step}: choose one of {', '.join(SIGNOFF_STEPS)}")
    name = (name or "").strip()
    if not name:
        raise ValueError("--name must not be empty")
    manual, _ = read_manual(root)
    item = find_item(manual, key)
    if item is None:
        close = difflib.get_close_matches(key, candidates(manual), n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise LookupError(f"no document or form '{key}' (a document's code, or a form's id or code){hint}; "
                          "a file that cannot be read is reported by `manual check`")
    old = item.signoff(step)
    role = (role or "").strip() or (old.role if old and old.role else None)
    if not role:
        raise ValueError(f"{item.path}: the {step} sign-off has no role yet: give --role")
    date = date or today(manual)

    for earlier in SIGNOFF_STEPS[:SIGNOFF_STEPS.index(step)]:
        s = item.signoff(earlier)
        if s is None:
            raise ApproveError(
                f"{item.path}: the {earlier} ({STEP_ZH[earlier]}) step is not signed yet; sign it first",
                f"{item.path}：尚未{STEP_ZH[earlier]}签署；请先签署{STEP_ZH[earlier]}")

    fp = fingerprint(item, manual)
    for earlier in SIGNOFF_STEPS[:SIGNOFF_STEPS.index(step)]:
        s = item.signoff(earlier)
        if s.fingerprint and s.fingerprint != fp:
            raise ApproveError(
                f"{item.path}: the {earlier} ({STEP_ZH[earlier]}) sign-off was for other content; "
                f"sign {earlier} again first (manual approve {key} --step {earlier} …)",
                f"{item.path}：{STEP_ZH[earlier]}签署针对的是改动前的内容；请先重新{STEP_ZH[earlier]}签署"
                f"（manual approve {key} --step {earlier} …）")

    raw_entry = dict((item.meta.get("signoff") or {}).get(step) or {})
    entry = {}
    for k, v in raw_entry.items():  # keep the existing keys in their order
        entry[k] = v
    entry.update({"name": name, "role": role, "date": date, "fingerprint": fp})
    if "sample" in entry and (old is None or old.name != name):
        del entry["sample"]  # a sample flag belongs to the sample name it marked

    path = Path(manual.root) / item.path
    raw = path.read_bytes().decode("utf-8")
    bom = raw.startswith(BOM)
    raw = raw[1:] if bom else raw
    crlf = "\r\n" in raw
    text = raw.replace("\r\n", "\n")
    start, end = _yaml_span(item, text)
    new_text = set_signoff(text, step, entry, start, end)

    new_item, reader_findings = _reread(manual, item, new_text)
    if new_item is None or (new_item.meta.get("signoff") or {}).get(step) != entry \
            or {k: v for k, v in new_item.meta.items() if k != "signoff"} != \
            {k: v for k, v in item.meta.items() if k != "signoff"} \
            or fingerprint(new_item, manual) != fp:
        raise RuntimeError(f"{item.path}: editing the sign-off text did not give the expected data; "
                           "nothing was written")
    _with_item(manual, item, new_item)
    findings = [f for f in reader_findings + run_rules(manual) if f.path == item.path and f.severity == "error"]
    lines = _entry_lines(new_item, step)
    blocking = [f for f in findings if f.rule not in TRANSIENT or f.line in lines]
    if blocking:
        raise ApproveError(f"{item.path}: not signed: fix these errors first",
                           f"{item.path}：未签署，请先修正以下错误", blocking)

    out = new_text.replace("\n", "\r\n") if crlf else new_text
    mode = os.stat(path).st_mode & 0o777
    atomic_write_bytes(path, ((BOM if bom else "") + out).encode("utf-8"))
    os.chmod(path, mode)
    return {"path": item.path, "step": step, "name": name, "role": role, "date": date, "fingerprint": fp,
            "line": new_item.loc("signoff", step).line}
