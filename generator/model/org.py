"""Queries over the organisation: the reporting tree, staffing, workflow steps, job descriptions.

Pure functions of the typed model (no I/O): the print view (PDF, DOCX), the site and the
diagrams draw the same org chart, staffing table, workflow and job descriptions from them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import Document, Form, Manual, Role


@dataclass
class OrgNode:
    """A department role in the reporting tree, with the department roles reporting to it."""

    id: str
    children: list["OrgNode"] = field(default_factory=list)


@dataclass
class OrgTree:
    above: list[str]  # roles outside the department, from the top down to the head's superior
    roots: list[OrgNode]  # the department head first, then department roles that reach no root
    head: str


@dataclass
class OutlineRow:
    """One line of the org chart as an indented list."""

    depth: int
    role: str
    headcount: int
    external: bool


@dataclass
class Staffing:
    rows: list[Role]  # the department's roles (external ones left out), in roles.yaml order
    total: int
    authorized: int | None


@dataclass
class StepForm:
    id: str
    title: str  # the form's title, or its id when the form is unknown
    code: str
    form: Form | None


@dataclass
class Step:
    """A workflow step as printed: its number (1, 2 …) and its forms resolved."""

    number: int
    id: str
    title: str
    role: str
    forms: list[StepForm]
    description: str


@dataclass
class JobView:
    """A job description with what it draws from roles.yaml: the superior(s) and the headcount."""

    title: str
    covers: list[str]
    reports_to: str
    note: str
    headcount: int
    duties: list[str]


def org_tree(manual: Manual) -> OrgTree:
    """The reporting tree: the department head at the first root; department roles that reach
    no root are added as further roots, so that no role is lost."""
    roles = manual.roles
    head = manual.department_head or ""
    children: dict[str, list[str]] = {}
    for rid, role in roles.items():
        if role.reports_to:
            children.setdefault(role.reports_to, []).append(rid)

    seen: set[str] = set()

    def build(rid: str) -> OrgNode:
        seen.add(rid)
        return OrgNode(rid, [build(c) for c in children.get(rid, []) if c not in seen and not roles[c].external])

    above: list[str] = []
    roots: list[OrgNode] = []
    if head in roles:
        cur = roles[head].reports_to
        guard: set[str] = {head}
        while cur and cur in roles and cur not in guard:
            above.insert(0, cur)
            guard.add(cur)
            cur = roles[cur].reports_to
        roots.append(build(head))
    for rid, role in roles.items():  # department roles not under the head
        if rid not in seen and not role.external and rid not in above:
            parent = role.reports_to
            if parent in roles and not roles[parent].external and parent not in above:
                continue  # reached through its own parent below
            roots.append(build(rid))
    return OrgTree(above, roots, head)


def org_outline(manual: Manual) -> list[OutlineRow]:
    """The org chart as an indented list, depth first; the roles above the department head first."""
    tree = org_tree(manual)
    out: list[OutlineRow] = []
    depth = 0
    for rid in tree.above:
        role = manual.roles.get(rid)
        out.append(OutlineRow(depth, rid, role.headcount if role else 0, True))
        depth += 1

    def walk(node: OrgNode, d: int) -> None:
        role = manual.roles.get(node.id)
        out.append(OutlineRow(d, node.id, role.headcount if role else 0, bool(role and role.external)))
        for child in node.children:
            walk(child, d + 1)

    for root in tree.roots:
        walk(root, depth)
    return out


def staffing(manual: Manual) -> Staffing:
    """The staffing table: the department's roles, their total and the authorized number."""
    rows = [role for role in manual.roles.values() if not role.external]
    return Staffing(rows, sum(r.headcount for r in rows), manual.authorized_headcount)


def workflow_steps(manual: Manual, doc: Document) -> list[Step]:
    """The steps of ``doc``'s workflow, numbered from 1, with their forms."""
    out = []
    for number, step in enumerate(doc.workflow, start=1):
        forms = []
        for fid in step.forms:
            form = manual.forms.get(fid)
            forms.append(StepForm(fid, form.title if form else fid, form.code if form else "", form))
        out.append(Step(number, step.id or f"step-{number}", step.title, step.role, forms, step.description))
    return out


def jobs(manual: Manual, doc: Document) -> list[JobView]:
    """The job descriptions of ``doc``; a job without ``reports_to`` reports to its posts' superiors."""
    out = []
    for job in doc.jobs:
        reports_to = job.reports_to
        if not reports_to:
            bosses: list[str] = []
            for c in job.covers:
                role = manual.roles.get(c)
                if role and role.reports_to and role.reports_to not in bosses:
                    bosses.append(role.reports_to)
            reports_to = "、".join(bosses)
        headcount = sum(manual.roles[c].headcount for c in job.covers if c in manual.roles)
        out.append(JobView(job.title, list(job.covers), reports_to, job.note, headcount, list(job.duties)))
    return out


# -- one role's duties ("my duties") -------------------------------------------------------------
@dataclass
class RoleStep:
    """A workflow step the role performs, in the document that lists it."""

    document: Document
    step: Step


@dataclass
class RoleSignOff:
    """A sign-off the role gives: the step (prepared | reviewed | approved) and what it signs."""

    step: str
    item: Document | Form


@dataclass
class RoleDuties:
    """What one role does in the manual: the answer to a member of staff's "what are my duties?"."""

    role: Role
    reports_to: str  # the superior roles.yaml gives, else the one its job description names
    subordinates: list[str]  # roles reporting to it, in roles.yaml order
    jobs: list[tuple[Document, JobView]]  # the job descriptions that cover it (posts and duties)
    owned: list[Document]  # documents it owns
    owned_forms: list[Form]
    steps: list[RoleStep]  # workflow steps it performs, in the manual's order
    forms: list[Form]  # forms it fills: those of its workflow steps, then those whose signature field names it
    signoffs: list[RoleSignOff]  # 编制 / 审核 / 批准 it gives, documents then forms
    referenced: list[Document]  # documents that name it in references.roles


def _names_role(text: str, role: Role) -> bool:
    return any(name and name in text for name in [role.id, *role.aliases])


def role_duties(manual: Manual, rid: str) -> RoleDuties:
    """Everything the manual asks of role ``rid``, from the documents in force (superseded ones left out)
    and the forms."""
    role = manual.roles[rid]
    docs = manual.in_navigation()
    forms = sorted(manual.forms.values(), key=lambda f: (f.code, f.id))
    jobs_of: list[tuple[Document, JobView]] = []
    steps: list[RoleStep] = []
    filled: list[Form] = []
    for doc in docs:
        for job in jobs(manual, doc) if doc.jobs else []:
            if rid in job.covers:
                jobs_of.append((doc, job))
        for step in workflow_steps(manual, doc) if doc.workflow else []:
            if step.role == rid:
                steps.append(RoleStep(doc, step))
                for f in step.forms:
                    if f.form is not None and not any(f.form is x for x in filled):
                        filled.append(f.form)
    for form in forms:
        if not any(form is x for x in filled) and any(
                fld.type == "signature" and _names_role(fld.label, role) for fld in form.fields()):
            filled.append(form)
    reports_to = role.reports_to or next((job.reports_to for _, job in jobs_of if job.reports_to), "")
    signoffs = [RoleSignOff(s.step, item) for item in [*docs, *forms] for s in item.signoffs() if s.role == rid]
    return RoleDuties(
        role=role, reports_to=reports_to or "",
        subordinates=[r.id for r in manual.roles.values() if r.reports_to == rid],
        jobs=jobs_of, owned=[d for d in docs if d.owner == rid],
        owned_forms=[f for f in forms if f.owner == rid], steps=steps, forms=filled, signoffs=signoffs,
        referenced=[d for d in docs if rid in d.cited_roles])
