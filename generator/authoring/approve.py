"""``manual approve``: record a sign-off step with the content's fingerprint.

    manual approve CODE --step prepared|reviewed|approved --name NAME | --as PERSON [--role R] [--date YYYY-MM-DD]
                   [--key FILE.p12]

CODE is a document's code, or a form's id or code, or ``manual`` for the
manual's own sign-off (the cover's, in manual/manual.yaml; its fingerprint
covers the manual's configuration and chapter list).  ``--as PERSON`` names
the signer by their id in manual/people.yaml: the name comes from there, and
the role too, when the person held exactly one role on the date that may
sign the step.  When that person has a certificate, the approval record is
signed with their key (``--key`` or MANUAL_SIGN_KEY, a PKCS#12 file whose
password comes from MANUAL_SIGN_PASSWORD or the terminal) and the signature
is written into the entry.  The step's name, role
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

import base64
import copy
import dataclasses
import datetime as dt
import os
import tempfile
from functools import partial
from pathlib import Path

import yaml

from ..common import password
from ..common.password import PASSWORD_ENV
from ..common.suggest import closest
from ..errors import ApproveError, UsageError
from ..labels import step_label
from ..model import COVER_KEY, SIGNOFF_STEPS, Cover, Document, SignOff
from ..model.fingerprint import fingerprint, manual_fingerprint
from ..rules.approvals import item_key
from .revise import candidates, find_item  # noqa: F401 - find_item is part of this module's interface
from .yamltext import flow_mapping, read_source_text, scalar_edits, write_source_text, yaml_scalar

# Findings that signing the remaining steps clears: not a reason to refuse,
# unless they stand on the lines of the step being signed.
TRANSIENT = {"signoff-complete", "signoff-order", "approval-stale", "signature-missing"}
ENTRY_KEYS = ("name", "role", "date", "version", "fingerprint", "sample")  # a sign-off entry's keys, as SignOff holds them
SIGNER_KEYS = ("person", "signature")  # the entry's keys of the people registry and signed approvals
KEY_ENV = "MANUAL_SIGN_KEY"


# -- finding the item: ``find_item`` and ``candidates`` live in ``revise`` (both commands find items alike)
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
    from ..read.images import read_images

    with tempfile.TemporaryDirectory(prefix="manual-approve-") as tmp:
        path = Path(tmp) / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if isinstance(item, Document):
            file, findings = reader.read_document(Path(tmp), path)
            if file is not None:  # its pictures are the manual's, where the file is
                file.images = read_images(Path(manual.root), item.path, file.blocks)
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
    keys = ENTRY_KEYS + SIGNER_KEYS
    spots = sorted((item.positions.at(path), path[2]) for path in item.positions.spots
                   if len(path) == 3 and path[:2] == ("signoff", step) and path[2] in keys)
    order = list(dict.fromkeys([key for _, key in spots] + ["person", "name", "role", "date", "version",
                                                             "fingerprint", "sample", "signature"]))
    values = {key: getattr(signed, key) for key in keys}
    return {key: values[key] for key in order
            if (key != "sample" or signed.sample) and (key not in SIGNER_KEYS + ("version",) or values[key])}


# What signing may change besides the sign-off: where things stand in the file (the edit adds lines).
MAY_CHANGE = {"signoff_steps", "positions", "meta", "body_line", "blocks", "source_sha256",
              "images"}  # blocks and images move with the lines: the fingerprint compares their content


def _same_but_signoff(old, new, step: str) -> bool:
    """Whether ``new`` is ``old`` with only the sign-off ``step`` changed."""
    fields = [f.name for f in dataclasses.fields(old) if f.name not in MAY_CHANGE]
    return all(getattr(old, name) == getattr(new, name) for name in fields) and \
        {s: v for s, v in old.signoff_steps.items() if s != step} == \
        {s: v for s, v in new.signoff_steps.items() if s != step}


# -- who signs: the people registry ----------------------------------------------------------------
def signer_for(manual, person_id: str | None, name: str | None):
    """(name, the registry's person or None) for ``--as PERSON`` or ``--name NAME``."""
    from ..model.people import named

    if person_id is not None:
        person_id = person_id.strip()
        if not manual.has_people:
            raise UsageError("cli.approve.no_registry", person=person_id, path=manual.people_path)
        person = manual.people.get(person_id)
        if person is None:
            close = closest(person_id, list(manual.people))
            raise UsageError("cli.approve.unknown_person_hint" if close else "cli.approve.unknown_person",
                             person=person_id, path=manual.people_path, close=close)
        return person.name, person
    name = (name or "").strip()
    if not name:
        raise UsageError("cli.approve.name_empty")
    found = named(manual, name) if manual.has_people else []
    return name, (found[0] if len(found) == 1 else None)


def role_from_registry(manual, person, step: str, date: dt.date) -> str:
    """The role ``person`` signs ``step`` in on ``date``: the one role they held then that may sign it."""
    held = person.roles_on(date)
    allowed = manual.signoff_policy.get(step)
    fits = [r for r in held if allowed is None or r in allowed]
    if len(fits) == 1:
        return fits[0]
    if not held:
        raise UsageError("cli.approve.no_role_held", person=person.id, name=person.name, date=date,
                         path=manual.people_path)
    if not fits and len(held) == 1:
        return held[0]  # it may not sign the step: the refusal (sod-role) says which roles may
    raise UsageError("cli.approve.role_ambiguous", person=person.id, name=person.name, date=date,
                     roles=", ".join(fits or held))


# -- signed approvals ---------------------------------------------------------------------------
def signing_password(env=os.environ) -> bytes:
    """From MANUAL_SIGN_PASSWORD, or asked at the terminal; never stored or logged."""
    value = password.signing_password(env)
    if value is None:
        raise UsageError("errors.password_needed", env=PASSWORD_ENV)
    return value


def signing_key(manual, person, key_file: Path | None, env=os.environ):
    """The private key of ``person`` from their PKCS#12 file, after making sure it belongs to the
    certificate the registry holds for them."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12
    from ..rules.approvals import load_certificate

    if key_file is None and env.get(KEY_ENV):
        key_file = Path(env[KEY_ENV])
    if key_file is None:
        raise UsageError("cli.approve.key_needed", name=person.name, person=person.id, env=KEY_ENV)
    certificate = load_certificate(person.certificate_pem)
    if certificate is None:
        raise UsageError("cli.approve.certificate_unreadable", name=person.name, file=person.certificate)
    try:
        data = Path(key_file).read_bytes()
    except OSError as exc:
        raise UsageError("cli.approve.key_unreadable", file=key_file, reason=exc.strerror or exc) from None
    try:
        key, _, _ = pkcs12.load_key_and_certificates(data, signing_password(env))
    except (ValueError, TypeError):
        raise UsageError("cli.approve.key_unreadable", file=key_file,
                         reason=partial(_label, "cli.approve.key_reason")) from None
    if key is None:
        raise UsageError("cli.approve.key_unreadable", file=key_file, reason=partial(_label, "cli.approve.key_reason"))
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, spki) != \
            certificate.public_key().public_bytes(serialization.Encoding.DER, spki):
        raise UsageError("cli.approve.key_not_theirs", file=key_file, name=person.name, file_cert=person.certificate)
    return key


def _label(key: str, lang: str) -> str:
    from ..errors import message
    return message(key, lang)


def sign_record(key, record: bytes) -> str:
    """The base64 signature of ``record`` with ``key``, as ``rules.approvals.verify_signature`` checks it."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(record, padding.PKCS1v15(), hashes.SHA256())
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        raw = key.sign(record, ec.ECDSA(hashes.SHA256()))
    elif isinstance(key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
        raw = key.sign(record)
    else:
        raise UsageError("cli.approve.key_unsupported", kind=type(key).__name__)
    return base64.b64encode(raw).decode("ascii")


# -- the manual's own sign-off ------------------------------------------------------------------------
def _reread_config(manual, text: str):
    """The manual as it would be with manual.yaml's text ``text`` (config only), with the reader's findings."""
    from ..model import build
    from ..read import reader

    with tempfile.TemporaryDirectory(prefix="manual-approve-") as tmp:
        path = Path(tmp) / manual.config_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        data, positions, findings = reader.read_yaml_file(Path(tmp), path, "manual")
    if data is None:
        return None, findings
    new = copy.copy(manual)
    build.apply_config(new, reader.SourceFile(manual.config_path, data, positions, ""))
    build.fill_names(new, new.signoff_steps.values())
    return new, findings


CONFIG_MAY_CHANGE = {"signoff_steps", "config_positions"}


def _same_config_but_signoff(old, new, step: str) -> bool:
    fields = [f.name for f in dataclasses.fields(old) if f.name not in CONFIG_MAY_CHANGE]
    return all(getattr(old, name) == getattr(new, name) for name in fields) and \
        {s: v for s, v in old.signoff_steps.items() if s != step} == \
        {s: v for s, v in new.signoff_steps.items() if s != step}


# -- the command ----------------------------------------------------------------
SIGNATURE_RULES = ("signature-missing", "signature-invalid")


def _edited(manual, item, step: str, signed: SignOff, fp: str, text: str, ignore=(), closing=None):
    """(the file's new text, the item as read from it, the manual with it) with the sign-off ``step`` set to
    ``signed`` (and, with ``closing`` = (status, effective date), the change closed: status and effective date
    set); ``ApproveError`` with the findings when the result would have errors (but those of ``ignore``)."""
    from ..rules import run_rules

    cover = isinstance(item, Cover)
    start, end = (0, len(text)) if cover else _yaml_span(item, text)
    try:
        new_text = set_signoff(text, step, _entry(item, step, signed), start, end)
        if closing is not None:
            start, end = _yaml_span(item, new_text)
            new_text = scalar_edits(new_text, {"status": closing[0], "effective": closing[1].isoformat()},
                                    after="status", base=start, end=end)
    except (ValueError, yaml.YAMLError) as exc:
        raise UsageError("cli.approve.signoff_unreadable", path=item.path, reason=exc) from None

    if cover:
        work, reader_findings = _reread_config(manual, new_text)
        new_item = work.cover() if work is not None else None
        if new_item is None or new_item.signoff(step) != signed or not _same_config_but_signoff(manual, work, step) \
                or manual_fingerprint(work) != fp:
            raise RuntimeError(f"{item.path}: editing the sign-off text did not give the expected data; "
                               "nothing was written")
    else:
        from ..model.build import fill_names

        new_item, reader_findings = _reread(manual, item, new_text)
        if new_item is not None:
            fill_names(manual, new_item.signoffs())
        expected = item if closing is None else dataclasses.replace(item, status=closing[0], effective=closing[1])
        if new_item is None or new_item.signoff(step) != signed or not _same_but_signoff(expected, new_item, step) \
                or fingerprint(new_item, manual) != fp:
            raise RuntimeError(f"{item.path}: editing the sign-off text did not give the expected data; "
                               "nothing was written")
        work = copy.copy(manual)
        _with_item(work, item, new_item)
    findings = [f for f in reader_findings + run_rules(work)
                if f.path == item.path and f.severity == "error" and f.rule not in ignore]
    lines = _entry_lines(new_item, step)
    # closing the change signs the last step: nothing is left to clear what is wrong then
    blocking = [f for f in findings if closing is not None or f.rule not in TRANSIENT or f.line in lines]
    if blocking:
        raise ApproveError("cli.approve.refused", findings=blocking, path=item.path)
    return new_text, new_item, work


def approve(root: Path, key: str, step: str, name: str | None = None, role: str | None = None,
            date: dt.date | None = None, *, person: str | None = None, key_file: Path | None = None,
            env=os.environ, effective: dt.date | None = None, confirm=None) -> dict:
    """Sign ``step`` of the document or form ``key`` (or of the manual, ``key`` = ``manual``);
    returns what was written.

    The signer is ``person`` (an id of manual/people.yaml) or ``name``.
    When this step is the last one (every step then signed for the current content) of a document or
    form whose change is open (draft or in_review), the change is closed in the same edit: the status
    becomes ``effective`` (``approved`` while ``effective``, default the approval date, is still ahead)
    and the effective date is written; ``effective`` given for an item already in force sets them too.
    ``confirm(summary)`` (see ``summary``), when given, is asked once nothing stands in the way (before
    any key or password); a false answer refuses (``cli.approve.declined``).
    Raises ``UsageError`` for usage problems and ``ApproveError`` for refusals.
    Nothing is written unless it succeeds.
    """
    from ..model.build import read_manual
    from ..model.review import today
    from ..rules.approvals import record_of

    if step not in SIGNOFF_STEPS:
        raise UsageError("cli.approve.step_unknown", step=step, choices=", ".join(SIGNOFF_STEPS))
    if person is None:
        name = (name or "").strip()
        if not name:
            raise UsageError("cli.approve.name_empty")
    manual, _ = read_manual(root)
    item = find_item(manual, key)
    if key == COVER_KEY:
        if item is not None:
            raise UsageError("cli.approve.cover_ambiguous", key=key, path=item.path)
        item = manual.cover()
    if item is None:
        close = closest(key, candidates(manual) + [COVER_KEY])
        raise UsageError("cli.approve.unknown_item_hint" if close else "cli.approve.unknown_item", key=key, close=close)
    name, signer = signer_for(manual, person, name)
    date = date or today(manual)
    old = item.signoff(step)
    role = (role or "").strip() or None
    if role is None and signer is not None and person is not None:
        role = role_from_registry(manual, signer, step, date)
    role = role or (old.role if old and old.role else None)
    if role is None and signer is not None:
        role = role_from_registry(manual, signer, step, date)
    if not role:
        raise UsageError("cli.approve.no_role", path=item.path, step=step, step_label=partial(step_label, step))

    for earlier in SIGNOFF_STEPS[:SIGNOFF_STEPS.index(step)]:
        if item.signoff(earlier) is None:
            raise ApproveError("cli.approve.earlier_missing", path=item.path, earlier=earlier,
                               earlier_label=partial(step_label, earlier))

    cover = isinstance(item, Cover)
    fp = manual_fingerprint(manual) if cover else fingerprint(item, manual)
    for earlier in SIGNOFF_STEPS[:SIGNOFF_STEPS.index(step)]:
        s = item.signoff(earlier)
        if s.fingerprint and s.fingerprint != fp:
            raise ApproveError("cli.approve.earlier_stale", path=item.path, earlier=earlier, key=key,
                               earlier_label=partial(step_label, earlier))

    # a sample flag belongs to the sample name it marked, or to a sample person of the registry
    sample = signer.sample if signer is not None else bool(old and old.sample and old.name == name)
    # 批准 records the version it approves: the baseline of the version check (``model.versions``)
    signed = SignOff(step, name, role, date, fp, sample=sample, person=signer.id if person is not None else None,
                     version=item.version or None if step == "approved" else None)
    signing = signer is not None and bool(signer.certificate)
    if key_file is not None and not signing:
        raise UsageError("cli.approve.key_without_certificate", name=name, path=manual.people_path)
    closing = closes(manual, item, step, signed, effective, today(manual))
    if effective is not None and closing is None:
        raise UsageError("cli.approve.effective_not_last", effective=effective)
    path = Path(manual.root) / item.path
    text, eol, bom = read_source_text(path)
    # first without the signature: a sign-off that would be refused asks for no key and no password
    new_text, new_item, work = _edited(manual, item, step, signed, fp, text,
                                       ignore=SIGNATURE_RULES if signing else (), closing=closing)
    if confirm is not None and not confirm(summary(manual, item, step, closing)):
        raise ApproveError("cli.approve.declined", path=item.path)
    if signing:
        private_key = signing_key(manual, signer, key_file, env)
        signed.signature = sign_record(private_key, record_of(manual, item, signed, signer.id))
        new_text, new_item, work = _edited(manual, item, step, signed, fp, text, closing=closing)

    write_source_text(path, new_text, eol, bom)
    return {"path": item.path, "step": step, "name": name, "role": role, "date": date, "fingerprint": fp,
            "line": new_item.loc("signoff", step).line, "signed": bool(signed.signature),
            "key": item_key(item), "status": closing[0] if closing else None,
            "effective": closing[1] if closing else None,
            "status_line": new_item.loc("status").line if closing else None,
            "cover_stale": not cover and _cover_goes_stale(manual, work)}


# -- closing the change, and what is approved ------------------------------------------------------
OPEN_STATUSES = ("draft", "in_review")


def closes(manual, item, step: str, signed: SignOff, effective: dt.date | None, on: dt.date):
    """(status, effective date) when signing ``signed`` closes the change of ``item``, else None.

    It does when, with this step, every step is signed for the current content, and the item is a
    draft or in review (or ``effective`` is given for an item already approved or effective)."""
    if isinstance(item, Cover) or item.status == "superseded":
        return None
    if item.status not in OPEN_STATUSES and effective is None:
        return None
    for s in SIGNOFF_STEPS:
        entry = signed if s == step else item.signoff(s)
        if entry is None or entry.fingerprint != signed.fingerprint:
            return None
    when = effective or signed.date
    return ("effective" if when <= on else "approved"), when


def _cover_goes_stale(manual, work) -> bool:
    """Whether the manual's own sign-off was for the manual before and is not for ``work``."""
    fps = {s.fingerprint for s in manual.signoff_steps.values() if s.fingerprint}
    return bool(fps) and manual_fingerprint(manual) in fps and manual_fingerprint(work) not in fps


def summary(manual, item, step: str, closing=None) -> dict:
    """What is being approved: the item, its version, the revision entry of that version and what changed
    since the last approval (``authoring.revise.changes_since``; ``no_baseline`` says why not)."""
    from ..errors import Message
    from ..model.versions import baseline
    from .revise import changes_since

    out = {"step": step, "key": item_key(item), "title": getattr(item, "title", "") or manual.title,
           "version": item.version, "cover": isinstance(item, Cover), "revision": None, "changes": None,
           "no_baseline": None, "closing": closing, "first": False}
    if isinstance(item, Cover):
        return out
    entries = [r for r in item.revisions if r.version == item.version]
    out["revision"] = entries[-1] if entries else None
    if baseline(manual, item) is None:
        out["first"] = True  # never approved (or not since fingerprints): nothing to compare with
        return out
    try:
        out["changes"] = changes_since(manual, item)
    except Message as exc:
        out["no_baseline"] = exc
    return out
