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
from .scaffold import (check_empty_target, move_into, site_config_template, staging_folder, template_environment,
                       write_repo_files)
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
        doc=doc, src=src, origin=f"{doc.lines}" if doc.lines else "目录", owner=result.department_head,
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
        title=result.title or "管理手册", edition=edition, date=result.date,
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
    src = result.source
    ledger = result.ledger
    lines = [f"# 导入报告：{src.path.name}", ""]
    if ledger is not None:
        whole = sum(n for *_, n in ledger.reported)
        partial = sum(1 for *_, n in ledger.reported if not n)
        # Both counts come from the ledger (importdocs.sweep makes them add up): not one from the other.
        lines.append(f"- 段落（表格按单元格计）：输入 {ledger.paragraphs}，导入 {ledger.imported}，"
                     f"未导入 {whole}（原文见“未导入”一节）" + (f"；另有 {partial} 段只有一部分未导入" if partial else "")
                     + "。")
    lines.append(f"- 手册：{result.company or '（未识别公司名称）'}《{result.title or '（未识别标题）'}》，"
                 f"版本 {result.edition or '？'}，日期 {result.date or '（未识别）'}；"
                 f"从原稿{src.where(result.manual_start)}开始。")
    lines.append(f"- 导入了 {len(result.documents)} 个文件、{len(result.forms)} 个表单占位、{len(result.roles)} 个岗位。"
                 "所有文件都是草稿（status: draft），并标为 imported: true（导入、未审核）。")
    lines.append("- 原稿中句中的半角标点（, ; : ( )）改为全角。")
    lines.append(f"- 下一步：`manual check --root {out_name}` 列出原稿本身的问题（编号年份、签署日期等）。")
    for note_text in result.report:
        lines.append(f"- {note_text}")
    lines += ["", "## 文件", "", "| 编号 | 标题 | 类别 | 原稿位置 | 节 | 条款 | 表单 |", "|---|---|---|---|---|---|---|"]
    for doc in result.documents:
        sections, n = count_clauses(doc)
        lines.append(f"| {doc.code} | {doc.title} | {doc.kind} | {doc.lines or '（无正文）'} | {sections} | {n} | "
                     f"{'、'.join('《' + t + '》' for t in doc.forms)} |")
    lines += ["", "## 需要核对的地方", ""]
    any_note = False
    for doc in result.documents:
        for text in doc.notes:
            lines.append(f"- {doc.code}：{text}")
            any_note = True
    for code, title, where in result.unresolved_forms:
        lines.append(f"- {code}：正文引用《{title}》（{where}），原稿中没有这个表单的表样，未建表单（引用保持未解决，"
                     "manual check 会指出）；需要占位表单时用 --placeholder-forms 重新导入")
        any_note = True
    for form in result.forms:
        lines.append(f"- 表单 {form['code']}《{form['title']}》（{form['where']}）：原稿只有表名，"
                     f"forms/{form['id']}.yaml 是占位，请补充字段")
        any_note = True
    if not any_note:
        lines.append("- 无")
    lines += ["", "## 未归类的内容", ""]
    if result.unclassified:
        lines += [f"- {u}" for u in result.unclassified]
    else:
        lines.append("- 无")
    lines += ["", f"## {NOT_IMPORTED}", ""]
    if ledger is not None and ledger.reported:
        for position, why, text, whole in ledger.reported:
            part = "" if whole else "，一部分"
            lines.append(f"- 第 {position} {src.unit}{part}（{why}）：{md_escape(text.strip())}")
    else:
        lines.append("- 无：原稿的每一段都已写入源文件")
    return "\n".join(lines) + "\n"


NOT_IMPORTED = "未导入 / not imported"


def write_output(result: Imported, dest: Path, quiet: bool, lang: str = "zh-CN") -> None:
    form_ids = {f["title"]: f["id"] for f in result.forms}
    values = {"year": result.year or "", "today": result.date or "", "title": result.title or "管理手册"}
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
    """The imported manual and its ``import-report.md`` at ``target`` (new or empty): all of it, or nothing."""
    check_empty_target(target)
    tmp = staging_folder(target, "import")
    try:
        write_output(result, tmp, quiet, lang)
        (tmp / "import-report.md").write_text(write_report(result, out_name), encoding="utf-8")
        move_into(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise

