"""``manual import``, the last step: the manual repository and ``import-report.md`` from the result."""
from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

from ..common.progress import progress
from ..common.resources import TEMPLATES
from ..labels import text as label_text
from ..model import PLACEHOLDER, file_stem
from ..read.markdown import clauses, parse
from .importbase import Imported, ImportedDoc, md_escape
from .importdocs import audit_cover, audit_front, audit_roles
from .importlabels import content, join, quoted, report_language, say, unit
from .scaffold import (check_empty_target, make_parents, move_into, remove_made, site_config_template, staging_folder,
                       template_environment, write_repo_files)
from .yamltext import yaml_scalar

# ---------------------------------------------------------------------------
# Writing


def _date_or_scalar(value) -> str:
    """A sign-off date: an ISO date as it is (read as a date), anything else as text."""
    return value if _is_iso(value) else yaml_scalar(value, flow=True)


@functools.cache
def _templates():
    """One Jinja environment for the whole import (it was made again for every file written)."""
    env = template_environment(TEMPLATES / "import")
    env.filters["yaml_date"] = _date_or_scalar
    return env


def write_document(doc: ImportedDoc, result: Imported, form_ids: dict[str, str]) -> str:
    src = result.source.path.name
    # Never the day of the import (the output must not depend on it): the sign-off's date, the manual's, the
    # latest in the source, else a placeholder that check reports (the schema refuses it) until it is filled in.
    revision_date = doc.revision_date or result.date or result.latest_date or PLACEHOLDER
    return _templates().get_template("document.md.j2").render(
        doc=doc, src=src, origin=f"{doc.lines}" if doc.lines else content("from_toc"), owner=result.department_head,
        form_ids={k: v for k, v in form_ids.items() if k in doc.forms}, revision_date=revision_date)


def _is_iso(value) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def write_form(form: dict, result: Imported) -> str:
    return _templates().get_template("form.yaml.j2").render(
        form=form, src=result.source.path.name, owner=result.department_head, date=result.date)


DEFAULT_SCHEME = {"pattern": r"^(?P<chapter>\d{2})(?P<seq>\d{2})-(?P<year>\d{4})$",
                  "format": "{chapter:02d}{seq:02d}-{year}", "form_pattern": r"^\d{4}-F\d+$"}


def write_manual_yaml(result: Imported) -> str:
    codes = [d.code for d in result.documents]
    chapters = [{"number": c["number"], "title": c["title"],
                 "documents": c.get("documents") or [d.code for d in result.documents if d.code[:2] == c["number"]]}
                for c in result.chapters]
    scheme = dict(result.code_scheme or DEFAULT_SCHEME)
    scheme.setdefault("year", result.year)
    scheme.setdefault("form_pattern", r"^.+-F\d+$")
    scheme["example"] = codes[0] if codes else ""
    edition = result.edition or str(result.year or "") or PLACEHOLDER
    return _templates().get_template("manual.yaml.j2").render(
        src=result.source.path.name, company=result.company or PLACEHOLDER, company_found=bool(result.company),
        title=result.title or content("default_title"), edition=edition, date=result.date,
        scheme=scheme, codes=codes, chapters=chapters)


def write_roles_yaml(result: Imported) -> str:
    return _templates().get_template("roles.yaml.j2").render(
        department_head=result.department_head, authorized=result.authorized, roles=result.roles)


def file_name(code: str) -> str:
    """A code as a file name (``XX/QM-01`` → ``XX_QM-01``)."""
    return file_stem(code)


def count_clauses(doc: ImportedDoc) -> tuple[int, int]:
    """(sections, clauses) of a document as ``manual check`` reads its body, job duties included."""
    blocks = parse(doc.body, 1) if doc.body else []
    sections = sum(1 for b in blocks if b.kind == "heading")
    return sections, sum(1 for _ in clauses(blocks)) + sum(len(j["duties"]) for j in doc.jobs)


def write_report(result: Imported, out_name: str) -> str:
    """import-report.md: the summary, the documents, what to review, what is not classified or not imported;
    every word from the catalogue (``importlabels.say``) in the report's language."""
    src = result.source
    ledger = result.ledger
    lines = [f"# {say('title', name=src.path.name)}", ""]
    if ledger is not None:
        whole = sum(n for *_, n in ledger.reported)
        partial = sum(1 for *_, n in ledger.reported if not n)
        # Both counts come from the ledger (importdocs.sweep makes them add up): not one from the other.
        lines.append("- " + say("summary", paragraphs=ledger.paragraphs, imported=ledger.imported, reported=whole,
                                partial=say("summary_partial", count=partial) if partial else ""))
    lines.append("- " + say("manual", company=result.company or say("unknown_company"),
                            title=result.title or say("unknown_title"), edition=result.edition or say("unknown_edition"),
                            date=result.date or say("unknown_date"), where=src.where(result.manual_start)))
    lines.append("- " + say("counts", documents=len(result.documents), forms=len(result.forms),
                            roles=len(result.roles)))
    lines.append("- " + say("punctuation"))
    lines.append("- " + say("next_step", out=out_name))
    for note_text in result.report:
        lines.append(f"- {note_text}")
    columns = [say(f"column_{c}") for c in ("code", "title", "kind", "where", "sections", "clauses", "forms")]
    lines += ["", f"## {say('section_documents')}", "", "| " + " | ".join(columns) + " |",
              "|" + "---|" * len(columns)]
    for doc in result.documents:
        sections, n = count_clauses(doc)
        lines.append(f"| {doc.code} | {doc.title} | {doc.kind} | {doc.lines or say('no_body')} | {sections} | {n} | "
                     f"{join(quoted(t) for t in doc.forms)} |")
    lines += ["", f"## {say('section_review')}", ""]
    any_note = False
    for doc in result.documents:
        for text in doc.notes:
            lines.append("- " + say("document_note", code=doc.code, note=text))
            any_note = True
    for code, title, where in result.unresolved_forms:
        lines.append("- " + say("unresolved_form", code=code, title=title, where=where))
        any_note = True
    for form in result.forms:
        lines.append("- " + say("placeholder_form", code=form["code"], title=form["title"], where=form["where"],
                                id=form["id"]))
        any_note = True
    if not any_note:
        lines.append("- " + say("none"))
    lines += ["", f"## {say('section_unclassified')}", ""]
    if result.unclassified:
        lines += [f"- {u}" for u in result.unclassified]
    else:
        lines.append("- " + say("none"))
    lines += ["", f"## {say('section_not_imported')}", ""]
    if ledger is not None and ledger.reported:
        for position, why, text, whole in ledger.reported:
            lines.append("- " + say("not_imported_item", position=position, unit=unit(src.unit),
                                    part="" if whole else say("not_imported_part"), why=why,
                                    text=md_escape(text.strip())))
    else:
        lines.append("- " + say("not_imported_none"))
    return "\n".join(lines) + "\n"


def write_output(result: Imported, dest: Path, quiet: bool, lang: str = "zh-CN") -> None:
    form_ids = {f["title"]: f["id"] for f in result.forms}
    values = {"year": result.year or "", "today": result.date or "", "title": result.title or content("default_title")}
    write_repo_files(dest, values)
    mkdocs = site_config_template()
    if mkdocs is not None:
        shutil.copyfile(mkdocs, dest / "mkdocs.yml")
    (dest / "manual").mkdir(exist_ok=True)
    (dest / "policies").mkdir(exist_ok=True)
    (dest / "forms").mkdir(exist_ok=True)
    config = write_manual_yaml(result)
    (dest / "manual" / "manual.yaml").write_text(config, encoding="utf-8")
    if result.ledger is not None:
        audit_cover(result.ledger, config)
    roles = write_roles_yaml(result)
    (dest / "manual" / "roles.yaml").write_text(roles, encoding="utf-8")
    if result.ledger is not None:
        audit_roles(result.ledger, roles)
    written: set[str] = set()
    for doc in progress(result.documents, label_text("cli.authoring.import_writing", lang), quiet=quiet, label=lambda d: d.code):
        name = file_name(doc.code)
        k = 1
        while name in written:  # the same code twice in the source: duplicate-code reports it
            k += 1
            name = f"{file_name(doc.code)}-{k}"
        written.add(name)
        text = write_document(doc, result, form_ids)
        (dest / "policies" / f"{name}.md").write_text(text, encoding="utf-8")
        if result.ledger is not None:
            audit_front(result.ledger, doc, text)
        for image, data in doc.images:
            (dest / "policies" / "images").mkdir(exist_ok=True)
            (dest / "policies" / "images" / image).write_bytes(data)
    for form in result.forms:
        (dest / "forms" / f"{form['id']}.yaml").write_text(write_form(form, result), encoding="utf-8")
    if result.ledger is not None:
        result.ledger.reported.sort(key=lambda r: r[0])


def write_manual(result: Imported, target: Path, out_name: str, *, quiet: bool = False, lang: str = "zh-CN") -> None:
    """The imported manual and its ``import-report.md`` (in ``lang``) at ``target`` (new or empty): all of it,
    or nothing.  Missing parent folders are made (as ``mkdir -p``) and removed again if the import fails."""
    target = target.resolve()  # ``new/../out``: the folders as they will be, not through one not yet made
    check_empty_target(target)
    made = make_parents(target)
    tmp = None
    try:
        tmp = staging_folder(target, "import")
        write_output(result, tmp, quiet, lang)
        with report_language(lang):
            report = write_report(result, out_name)
        (tmp / "import-report.md").write_text(report, encoding="utf-8")
        move_into(tmp, target)
    except BaseException:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        remove_made(made)
        raise
