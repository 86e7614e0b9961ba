"""Organisation: reporting lines, job descriptions, staffing (manual/roles.yaml); workflow steps.

* ``org-tree``: the reporting lines form one tree rooted at the
  ``department_head``: no unknown ``reports_to``, no cycles, every role of
  the department reaches the head, and the head reports to nobody inside
  the department.  External roles (``external: true``, e.g. 总经理) may sit
  above the head.
* ``job-coverage``: once the manual has job descriptions (a document with
  ``jobs:``), every staffed role of the department (headcount > 0) is
  covered by one (``jobs[].covers``).
* ``staffing-total``: the headcounts of the department's roles add up to
  ``authorized_headcount``.
* ``job-reports-to``: a job description's ``reports_to`` agrees with the
  reporting line roles.yaml gives the posts it covers.
* ``workflow-step-id``: the steps of one workflow have different ids.

Roles named in documents (owner, workflow steps, references, jobs,
sign-offs) are checked by ``ref-role`` (``rules/references.py``).
"""
from __future__ import annotations

from ..common.findings import close_hint, error, texts
from . import rule


@rule("org-tree")
def org_tree(manual):
    if not manual.has_org:
        return []
    roles = manual.roles
    head = manual.department_head
    findings = []
    if head is not None and head not in roles:
        findings.append(error("org-tree", manual.org_loc("department_head"), "org-tree-head-unknown", head=head,
                              roles_file=manual.org_path, hint=close_hint(head, roles)))
        head = None

    for role in roles.values():
        if role.reports_to is not None and role.reports_to not in roles:
            findings.append(error("org-tree", manual.org_loc("roles", role.index, "reports_to"),
                                  "org-tree-boss-unknown", role=role.id, boss=role.reports_to,
                                  roles_file=manual.org_path, hint=close_hint(role.reports_to, roles)))

    reported_cycles = set()
    for role in roles.values():
        chain, seen = [role.id], {role.id}
        node = role.reports_to
        while node is not None and node in roles and node not in seen:
            chain.append(node)
            seen.add(node)
            node = roles[node].reports_to
        if node is not None and node in seen:  # a cycle
            cycle = chain[chain.index(node):]
            if frozenset(cycle) not in reported_cycles and role.id in cycle:
                reported_cycles.add(frozenset(cycle))
                findings.append(error("org-tree", manual.org_loc("roles", role.index, "reports_to"),
                                      "org-tree-cycle", path=" → ".join(cycle + [node])))
            continue
        if node is not None and node not in roles:
            continue  # the unknown role is reported above
        if head is None or role.external or role.id == head:
            continue
        if head not in chain:
            last = chain[-1]
            if role.reports_to:
                where = manual.org_loc("roles", role.index, "reports_to")
            else:
                where = manual.org_loc("roles", role.index)
            via = texts("org-tree-line-ends", last=last) if last != role.id else texts("org-tree-no-boss")
            findings.append(error("org-tree", where, "org-tree-outside", role=role.id, head=head, via=via))

    if head is not None:
        boss = roles[head].reports_to
        in_cycle = any(head in cycle for cycle in reported_cycles)
        if boss in roles and not roles[boss].external and not in_cycle:
            findings.append(error("org-tree", manual.org_loc("roles", roles[head].index, "reports_to"),
                                  "org-tree-head-inside", head=head, boss=boss))
    return findings


def job_covers(manual) -> dict:
    """role id -> (document, job) of the job description that covers it."""
    covered = {}
    for doc in manual.documents:
        if doc.status == "superseded":
            continue
        for job in doc.jobs:
            for role in job.covers:
                covered.setdefault(role, (doc, job))
    return covered


@rule("job-coverage")
def job_coverage(manual):
    if not any(doc.jobs for doc in manual.documents if doc.status != "superseded"):
        return []
    covered = job_covers(manual)
    return [error("job-coverage", manual.org_loc("roles", role.index, "id"), "job-coverage", role=role.id,
                  headcount=role.headcount)
            for role in manual.roles.values()
            if not role.external and role.headcount > 0 and role.id not in covered]


@rule("staffing-total")
def staffing_total(manual):
    authorized = manual.authorized_headcount
    if authorized is None:
        return []
    parts = [(role.id, role.headcount) for role in manual.roles.values() if not role.external]
    total = sum(n for _, n in parts)
    if total == authorized:
        return []
    return [error("staffing-total", manual.org_loc("authorized_headcount"), "staffing-total", authorized=authorized,
                  total=total, detail=" + ".join(f"{name} {n}" for name, n in parts if n))]


@rule("workflow-step-id")
def workflow_step_id(manual):
    """Two steps of one workflow with the same ``id`` (the diagrams and links would join them)."""
    findings = []
    for doc in manual.documents:
        first: dict[str, int] = {}  # step id -> its step's index
        for step in doc.workflow:
            if not step.id:
                continue
            if step.id in first:
                findings.append(error("workflow-step-id", doc.loc("workflow", step.index, "id"), "workflow-step-id",
                                      id=step.id, line=doc.loc("workflow", first[step.id], "id").line))
            else:
                first[step.id] = step.index
    return findings


@rule("job-reports-to")
def job_reports_to(manual):
    """A job description's ``reports_to`` names another superior than roles.yaml gives the posts it covers.

    A superior roles.yaml does not define is ``ref-role``'s finding; a post with no superior in roles.yaml
    is not contradicted."""
    findings = []
    for doc in manual.documents:
        for job in doc.jobs:
            said = job.reports_to
            if not said or said not in manual.roles:
                continue
            differ = [(post, manual.roles[post].reports_to) for post in job.covers
                      if post in manual.roles and manual.roles[post].reports_to
                      and manual.roles[post].reports_to != said]
            if differ:
                findings.append(error("job-reports-to", doc.loc("jobs", job.index, "reports_to"), "job-reports-to",
                                      title=job.title, said=said, roles_file=manual.org_path,
                                      lines="、".join(f"{post} → {boss}" for post, boss in differ)))
    return findings
