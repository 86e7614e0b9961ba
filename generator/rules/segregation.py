"""Segregation of duties: who may sign what.

* ``sod-same-person``: the steps that ``segregation`` in manual/manual.yaml
  pairs (default ``all-different``: 编制 ≠ 审核 ≠ 批准) are signed by different
  people.  A person is known by their id in manual/people.yaml when the
  sign-off names one, else by the name as written.
* ``sod-same-day``: one person does not sign two steps of the same document
  under different roles on the same day (where the policy lets them sign both).
* ``sod-role``: each sign-off's role is one that ``signoff_policy`` in
  manual/manual.yaml allows for that step (checked for each step the policy
  lists; the approver's step should always be listed).  A step whose list
  names a role that roles.yaml does not define is left to ``ref-role``
  until it is mended.

All three hold for documents, forms and the manual's own sign-off alike.
"""
from __future__ import annotations

from ..common.findings import error
from ..model import SIGNOFF_STEPS
from ..model.people import identity, shown
from . import rule, written
from .approvals import signed_items, step_zh


def allowed_roles(manual, step):
    """Roles allowed to sign ``step``, or None when the policy does not say."""
    return manual.signoff_policy.get(step)


def _who_loc(item, step):
    """Where a sign-off names its signer: ``person`` when written, else ``name``."""
    key = "person" if written(item, "signoff", step, "person") else "name"
    return item.loc("signoff", step, key)


@rule("sod-same-person", unreviewed=True)
def same_person(manual):
    findings = []
    for item in signed_items(manual):
        reported = set()  # one finding per step: the first earlier step it repeats the signer of
        for first, second in sorted(manual.segregation, key=lambda p: (SIGNOFF_STEPS.index(p[1]),
                                                                       SIGNOFF_STEPS.index(p[0]))):
            a, b = item.signoff(first), item.signoff(second)
            if a is None or b is None or second in reported:
                continue
            who = identity(manual, a)
            if who is None or who != identity(manual, b):
                continue
            reported.add(second)
            findings.append(error("sod-same-person", _who_loc(item, second), "sod-same-person", name=shown(manual, b),
                                  first=first, first_zh=step_zh(first), second=second, second_zh=step_zh(second),
                                  config=manual.config_path))
    return findings


@rule("sod-same-day", unreviewed=True)
def same_day(manual):
    findings = []
    apart = set(manual.segregation)
    for item in signed_items(manual):
        for i, first in enumerate(SIGNOFF_STEPS):
            for second in SIGNOFF_STEPS[i + 1:]:
                a, b = item.signoff(first), item.signoff(second)
                if a is None or b is None or (first, second) in apart or not (a.date and a.date == b.date):
                    continue
                who = identity(manual, a)
                if who is None or who != identity(manual, b) or not a.role or not b.role or a.role == b.role:
                    continue
                findings.append(error("sod-same-day", item.loc("signoff", second, "role"), "sod-same-day",
                                      name=shown(manual, b), date=b.date, first=first, first_zh=step_zh(first),
                                      first_role=a.role, second=second, second_zh=step_zh(second), second_role=b.role))
    return findings


@rule("sod-role", unreviewed=True)
def sod_role(manual):
    findings = []
    # A step whose policy names a role roles.yaml does not define (a typo: ref-role reports it once) is
    # not checked until it is mended, lest every sign-off of that step in the manual be reported too.
    steps = [step for step in SIGNOFF_STEPS if not (manual.roles and any(
        r not in manual.roles for r in allowed_roles(manual, step) or []))]
    for item in signed_items(manual):
        for step in steps:
            s = item.signoff(step)
            allowed = allowed_roles(manual, step)
            if s is None or not s.role or allowed is None or s.role in allowed:
                continue
            findings.append(error("sod-role", item.loc("signoff", step, "role"), "sod-role", role=s.role, step=step,
                                  step_zh=step_zh(step), config=manual.config_path,
                                  allowed="、".join(allowed) or "—"))
    return findings
