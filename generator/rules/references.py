"""References: document → document, document → form, document → role."""
from __future__ import annotations

from ..common.findings import error, warning
from . import rule


def _did_you_mean(name, candidates):
    import difflib
    close = difflib.get_close_matches(str(name), [str(c) for c in candidates], n=1, cutoff=0.5)
    return (f"; did you mean '{close[0]}'?", f"；是否应为 '{close[0]}'？") if close else ("", "")


@rule("ref-document")
def ref_document(manual):
    codes = {d.code for d in manual.documents}
    hints: dict = {}  # the same unknown code in many documents: one search for the closest
    findings = []
    for doc in manual.documents:
        for i, code in enumerate((doc.meta.get("references") or {}).get("documents") or []):
            if code not in codes and f"policies/{code}.md" not in manual.unreadable:
                key = str(code)
                if key not in hints:
                    hints[key] = _did_you_mean(code, codes)
                en, zh = hints[key]
                findings.append(error("ref-document", doc.loc("references", "documents", i),
                                      f"reference to unknown document '{code}'{en}",
                                      f"引用了不存在的文件 '{code}'{zh}"))
    return findings


@rule("ref-form")
def ref_form(manual):
    findings = []
    for doc in manual.documents:
        for i, form_id in enumerate(doc.meta.get("uses_forms") or []):
            if form_id not in manual.forms and f"forms/{form_id}.yaml" not in manual.unreadable:
                en, zh = _did_you_mean(form_id, manual.forms)
                findings.append(error("ref-form", doc.loc("uses_forms", i),
                                      f"reference to unknown form '{form_id}'{en}",
                                      f"引用了不存在的表单 '{form_id}'{zh}"))
        for si, step in enumerate(doc.meta.get("workflow") or []):
            for fi, form_id in enumerate(step.get("forms") or []):
                if form_id not in manual.forms and f"forms/{form_id}.yaml" not in manual.unreadable:
                    en, zh = _did_you_mean(form_id, manual.forms)
                    findings.append(error("ref-form", doc.loc("workflow", si, "forms", fi),
                                          f"workflow step uses unknown form '{form_id}'{en}",
                                          f"流程步骤使用了不存在的表单 '{form_id}'{zh}"))
    return findings


def _role_refs(doc):
    """(path, role) for every role a document names in its data."""
    refs = [(("owner",), doc.meta.get("owner"))]
    for i, role in enumerate((doc.meta.get("references") or {}).get("roles") or []):
        refs.append((("references", "roles", i), role))
    for i, step in enumerate(doc.meta.get("workflow") or []):
        refs.append((("workflow", i, "role"), step.get("role")))
    for i, job in enumerate(doc.meta.get("jobs") or []):
        for j, role in enumerate(job.get("covers") or []):
            refs.append((("jobs", i, "covers", j), role))
        if job.get("reports_to"):
            refs.append((("jobs", i, "reports_to"), job.get("reports_to")))
    for step in ("prepared", "reviewed", "approved"):
        entry = (doc.meta.get("signoff") or {}).get(step)
        if isinstance(entry, dict) and entry.get("role"):
            refs.append((("signoff", step, "role"), entry.get("role")))
    return [(p, r) for p, r in refs if isinstance(r, str) and r]


@rule("ref-role")
def ref_role(manual):
    if not manual.roles:
        return []
    findings = []
    for item in list(manual.documents) + list(manual.forms.values()):
        refs = _role_refs(item) if hasattr(item, "blocks") else [
            (("signoff", s, "role"), (item.meta.get("signoff") or {}).get(s, {}).get("role"))
            for s in ("prepared", "reviewed", "approved")
            if isinstance((item.meta.get("signoff") or {}).get(s), dict)] + [(("owner",), item.meta.get("owner"))]
        for path, role in refs:
            if role and role not in manual.roles:
                en, zh = _did_you_mean(role, manual.roles)
                findings.append(error("ref-role", item.loc(*path),
                                      f"unknown role '{role}': it is not defined in {manual.org_path}{en}",
                                      f"未知角色 '{role}'：{manual.org_path} 中没有定义{zh}"))
    # the manual's own config: who may sign each step, and the manual-level sign-off
    config_refs = []
    for step, roles in (manual.config.get("signoff_policy") or {}).items():
        for i, role in enumerate(roles or [] if isinstance(roles, list) else []):
            config_refs.append((("signoff_policy", step, i), role))
    for step, entry in (manual.config.get("signoff") or {}).items():
        if isinstance(entry, dict):
            config_refs.append((("signoff", step, "role"), entry.get("role")))
    for path, role in config_refs:
        if isinstance(role, str) and role and role not in manual.roles:
            en, zh = _did_you_mean(role, manual.roles)
            findings.append(error("ref-role", manual.config_loc(*path),
                                  f"unknown role '{role}': it is not defined in {manual.org_path}{en}",
                                  f"未知角色 '{role}'：{manual.org_path} 中没有定义{zh}"))
    return findings


@rule("unused-form")
def unused_form(manual):
    used = set()
    for doc in manual.documents:
        used.update(doc.meta.get("uses_forms") or [])
        for step in doc.meta.get("workflow") or []:
            used.update(step.get("forms") or [])
    return [warning("unused-form", form.loc("id"),
                    f"no document references the form '{form.id}' ({form.title})",
                    f"没有任何文件引用表单 '{form.id}'（{form.title}）")
            for form in manual.forms.values() if form.id not in used]
