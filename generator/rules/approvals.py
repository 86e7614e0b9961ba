"""Approval fingerprints: a sign-off is valid only for the content it signed.

``manual approve`` writes ``fingerprint: sha256:…`` into a sign-off step
(see ``generator.model.fingerprint``).  When the normative content changes
afterwards, the sign-off is *stale* until it is signed again.

A sign-off without a fingerprint is a legacy or hand-written one.  A manual
that has no fingerprint at all is not under fingerprint control and gets no
finding for that; once any sign-off in the manual carries a fingerprint,
every sign-off of a document or form in force (approved or effective) must
carry one too (a warning: "not fingerprinted; run manual approve").
"""
from __future__ import annotations

import re
import shlex

from ..common.findings import error, texts, warning
from ..labels import step_label
from ..model.fingerprint import fingerprint
from ..model import IN_FORCE, SIGNOFF_STEPS, Document
from . import rule


def step_zh(step: str) -> str:
    """The Chinese name of a sign-off step (编制, 审核, 批准): the English messages name it too."""
    return step_label(step, "zh-CN")


def items(manual):
    return list(manual.documents) + list(manual.forms.values())


def item_key(item) -> str:
    """What ``manual approve`` takes to find the item: a document's code, a form's id."""
    return item.code if isinstance(item, Document) else (item.id or item.code)


def _arg(text: str) -> str:
    return shlex.quote(text) if re.search(r"[\s'\"$`\\!*?;&|<>(){}\[\]#~]", text) else text


def approve_command(item, step, signoff=None) -> str:
    name = f" --name {_arg(str(signoff.name))}" if signoff is not None and signoff.name else " --name NAME"
    return f"manual approve {item_key(item)} --step {step}{name}"


def under_fingerprint_control(manual) -> bool:
    return any(s.fingerprint for item in items(manual) for s in item.signoffs())


def safe_fingerprint(item, manual):
    try:
        return fingerprint(item, manual)
    except (TypeError, ValueError):  # malformed data: the schema rule reports it
        return None


@rule("approval-stale", severities=("error", "warning"))
def approval_stale(manual):
    findings = []
    for item in items(manual):
        if item.status == "superseded":
            continue
        signed = [s for s in item.signoffs() if s.fingerprint]
        if not signed:
            continue
        current = safe_fingerprint(item, manual)
        if current is None:
            continue
        for s in signed:
            if s.fingerprint == current:
                continue
            make = warning if item.status == "draft" else error
            findings.append(make(
                "approval-stale", item.loc("signoff", s.step), "approval-stale", step=s.step, step_zh=step_zh(s.step),
                when=texts("approval-stale-when", date=s.date) if s.date else "",
                command=approve_command(item, s.step, s)))
    return findings


@rule("approval-unfingerprinted", severities=("warning",))
def approval_unfingerprinted(manual):
    if not under_fingerprint_control(manual):
        return []
    findings = []
    for item in items(manual):
        if item.status not in IN_FORCE:
            continue
        for step in SIGNOFF_STEPS:
            s = item.signoff(step)
            if s is None or s.fingerprint:
                continue
            findings.append(warning(
                "approval-unfingerprinted", item.loc("signoff", step), "approval-unfingerprinted", step=step,
                step_zh=step_zh(step), command=approve_command(item, step, s)))
    return findings
