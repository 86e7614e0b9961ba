"""Organisation: reporting lines, job descriptions, staffing (manual/roles.yaml).

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

Roles named in documents (owner, workflow steps, references, jobs,
sign-offs) are checked by ``ref-role`` (``rules/references.py``).
"""
from __future__ import annotations

import difflib

from ..common.findings import error
from . import rule


def _role_entries(manual):
    """(index, entry) for each well-formed role in roles.yaml: the first definition of each id
    (a second one is reported by the reader as ``duplicate-role``, and counted nowhere else)."""
    entries, seen = [], set()
    for i, r in enumerate((manual.org or {}).get("roles") or []):
        if isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"] not in seen:
            seen.add(r["id"])
            entries.append((i, r))
    return entries


def _hint(name, candidates):
    close = difflib.get_close_matches(str(name), list(candidates), n=1, cutoff=0.5)
    return (f"; did you mean '{close[0]}'?", f"；是否应为 '{close[0]}'？") if close else ("", "")


@rule("org-tree")
def org_tree(manual):
    if not manual.org:
        return []
    entries = _role_entries(manual)
    roles = {r["id"]: (i, r) for i, r in entries}
    head = manual.org.get("department_head")
    findings = []
    if isinstance(head, str) and head not in roles:
        en, zh = _hint(head, roles)
        findings.append(error("org-tree", manual.org_loc("department_head"),
                              f"the department head '{head}' is not a role in {manual.org_path}{en}",
                              f"部门负责人 '{head}' 不是 {manual.org_path} 中定义的角色{zh}"))
        head = None

    def parent(role_id):
        boss = roles[role_id][1].get("reports_to")
        return boss if isinstance(boss, str) and boss else None

    for i, r in entries:
        boss = parent(r["id"])
        if boss is not None and boss not in roles:
            en, zh = _hint(boss, roles)
            findings.append(error("org-tree", manual.org_loc("roles", i, "reports_to"),
                                  f"'{r['id']}' reports to '{boss}', which is not a role in {manual.org_path}{en}",
                                  f"'{r['id']}' 的上级 '{boss}' 不是 {manual.org_path} 中定义的角色{zh}"))

    reported_cycles = set()
    for i, r in entries:
        chain, seen = [r["id"]], {r["id"]}
        node = parent(r["id"])
        while node is not None and node in roles and node not in seen:
            chain.append(node)
            seen.add(node)
            node = parent(node)
        if node is not None and node in seen:  # a cycle
            cycle = chain[chain.index(node):]
            if frozenset(cycle) not in reported_cycles and r["id"] in cycle:
                reported_cycles.add(frozenset(cycle))
                path = " → ".join(cycle + [node])
                findings.append(error("org-tree", manual.org_loc("roles", i, "reports_to"),
                                      f"the reporting lines form a cycle: {path}",
                                      f"汇报关系形成了循环：{path}"))
            continue
        if node is not None and node not in roles:
            continue  # the unknown role is reported above
        if head is None or r.get("external") or r["id"] == head:
            continue
        if head not in chain:
            last = chain[-1]
            where = manual.org_loc("roles", i, "reports_to") if parent(r["id"]) else manual.org_loc("roles", i)
            via = f" (its line ends at '{last}')" if last != r["id"] else " (it reports to nobody)"
            via_zh = f"（汇报线止于 '{last}'）" if last != r["id"] else "（没有上级）"
            findings.append(error("org-tree", where,
                                  f"'{r['id']}' does not report, directly or through others, to the department "
                                  f"head '{head}'{via}",
                                  f"'{r['id']}' 既不直接也不间接向部门负责人 '{head}' 汇报{via_zh}"))

    if head is not None:
        hi, hr = roles[head]
        boss = parent(head)
        in_cycle = any(head in cycle for cycle in reported_cycles)
        if boss in roles and not roles[boss][1].get("external") and not in_cycle:
            findings.append(error("org-tree", manual.org_loc("roles", hi, "reports_to"),
                                  f"the department head '{head}' reports to '{boss}', a role inside the department; "
                                  "the head must be the root of the department's tree (mark roles above it "
                                  "external: true)",
                                  f"部门负责人 '{head}' 向部门内角色 '{boss}' 汇报；部门负责人应位于组织树的顶端"
                                  "（其上级应标注 external: true）"))
    return findings


def job_covers(manual) -> dict:
    """role id -> (document, job index) of the job description that covers it."""
    covered = {}
    for doc in manual.documents:
        if doc.status == "superseded":
            continue
        for j, job in enumerate(doc.meta.get("jobs") or []):
            if isinstance(job, dict):
                for role in job.get("covers") or []:
                    covered.setdefault(role, (doc, j))
    return covered


@rule("job-coverage")
def job_coverage(manual):
    if not any(doc.meta.get("jobs") for doc in manual.documents if doc.status != "superseded"):
        return []
    covered = job_covers(manual)
    findings = []
    for i, r in _role_entries(manual):
        headcount = r.get("headcount") or 0
        if r.get("external") or not isinstance(headcount, int) or headcount <= 0 or r["id"] in covered:
            continue
        findings.append(error("job-coverage", manual.org_loc("roles", i, "id"),
                              f"the staffed role '{r['id']}' (headcount {headcount}) has no job description: "
                              "add it to the covers of a job in a document's jobs",
                              f"岗位 '{r['id']}'（编制 {headcount} 人）没有岗位职责：请在岗位职责文件 jobs 的 covers 中加入该岗位"))
    return findings


@rule("staffing-total")
def staffing_total(manual):
    authorized = (manual.org or {}).get("authorized_headcount")
    if not isinstance(authorized, int) or isinstance(authorized, bool):
        return []
    parts = [(r["id"], r.get("headcount")) for _, r in _role_entries(manual)
             if not r.get("external") and isinstance(r.get("headcount"), int)]
    total = sum(n for _, n in parts)
    if total == authorized:
        return []
    detail = " + ".join(f"{name} {n}" for name, n in parts if n)
    return [error("staffing-total", manual.org_loc("authorized_headcount"),
                  f"the authorized headcount is {authorized}, but the roles' headcounts add up to {total} ({detail})",
                  f"岗位核定人数为 {authorized}，但各岗位人数合计为 {total}（{detail}）")]
