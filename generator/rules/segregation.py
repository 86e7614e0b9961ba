"""Segregation of duties: who may sign what.

* ``sod-same-person``: the preparer (编制) is not the approver (批准).
* ``sod-role``: each sign-off's role is one that ``signoff_policy`` in
  manual/manual.yaml allows for that step (checked for each step the policy
  lists; the approver's step should always be listed).  A step whose list
  names a role that roles.yaml does not define is left to ``ref-role``
  until it is mended.
"""
from __future__ import annotations

from ..common.findings import error
from ..model import SIGNOFF_STEPS
from . import rule
from .approvals import items, step_zh


def allowed_roles(manual, step):
    """Roles allowed to sign ``step``, or None when the policy does not say."""
    return manual.signoff_policy.get(step)


@rule("sod-same-person")
def same_person(manual):
    findings = []
    for item in items(manual):
        prepared, approved = item.signoff("prepared"), item.signoff("approved")
        if prepared and approved and prepared.name and approved.name \
                and str(prepared.name).strip() == str(approved.name).strip():
            findings.append(error("sod-same-person", item.loc("signoff", "approved", "name"), "sod-same-person",
                                  name=approved.name))
    return findings


@rule("sod-role")
def sod_role(manual):
    findings = []
    # A step whose policy names a role roles.yaml does not define (a typo: ref-role reports it once) is
    # not checked until it is mended, lest every sign-off of that step in the manual be reported too.
    steps = [step for step in SIGNOFF_STEPS if not (manual.roles and any(
        r not in manual.roles for r in allowed_roles(manual, step) or []))]
    for item in items(manual):
        for step in steps:
            s = item.signoff(step)
            allowed = allowed_roles(manual, step)
            if s is None or not s.role or allowed is None or s.role in allowed:
                continue
            findings.append(error("sod-role", item.loc("signoff", step, "role"), "sod-role", role=s.role, step=step,
                                  step_zh=step_zh(step), config=manual.config_path,
                                  allowed="、".join(allowed) or "—"))
    return findings
