"""``manual import``, the last step: the manual repository and ``import-report.md`` from the result."""
from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

from ..common.progress import progress
from ..common.resources import TEMPLATES
from ..labels import text as label_text
from .importbase import Imported, ImportedDoc
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
    return _templates().get_template("document.md.j2").render(
        doc=doc, src=src, origin=f"{doc.lines}" if doc.lines else "目录", owner=result.department_head,
        form_ids=form_ids, revision_date=doc.revision_date or result.date)


def _is_iso(value) -> bool:
    return isinstance(value, str) and bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))


def write_form(form: dict, result: Imported) -> str:
    return _templates().get_template("form.yaml.j2").render(
        form=form, src=result.source.path.name, owner=result.department_head, date=result.date)


def write_manual_yaml(result: Imported) -> str:
    codes = [d.code for d in result.documents]
    chapters = [{"number": c["number"], "title": c["title"],
                 "documents": [d.code for d in result.documents if d.code[:2] == c["number"]]}
                for c in result.chapters]
    return _templates().get_template("manual.yaml.j2").render(
        src=result.source.path.name, company=result.company or "示例公司有限公司", company_found=bool(result.company),
        title=result.title or "管理手册", edition=result.edition or str(result.year or ""), date=result.date,
        year=result.year, codes=codes, chapters=chapters)


def write_roles_yaml(result: Imported) -> str:
    return _templates().get_template("roles.yaml.j2").render(
        department_head=result.department_head, authorized=result.authorized, roles=result.roles)


def write_report(result: Imported, out_name: str) -> str:
    src = result.source
    lines = [f"# 导入报告：{src.path.name}", ""]
    lines.append(f"- 手册：{result.company or '（未识别公司名称）'}《{result.title or '（未识别标题）'}》，"
                 f"版本 {result.edition or '？'}，日期 {result.date or '（未识别）'}；"
                 f"从原稿{src.where(result.manual_start)}开始。")
    lines.append(f"- 导入了 {len(result.documents)} 个文件、{len(result.forms)} 个表单占位、{len(result.roles)} 个岗位。"
                 "所有文件都是草稿（status: draft）。")
    lines.append("- 原稿中句中的半角标点（, ; : ( )）改为全角。")
    lines.append(f"- 下一步：`manual check --root {out_name}` 列出原稿本身的问题（编号年份、签署日期等）。")
    for note_text in result.report:
        lines.append(f"- {note_text}")
    lines += ["", "## 文件", "", "| 编号 | 标题 | 类别 | 原稿位置 | 条款 | 表单 |", "|---|---|---|---|---|---|"]
    for doc in result.documents:
        clauses = len(re.findall(r"^\s*\d+\. ", doc.body, flags=re.M)) + sum(len(j["duties"]) for j in doc.jobs)
        lines.append(f"| {doc.code} | {doc.title} | {doc.kind} | {doc.lines or '（无正文）'} | {clauses} | "
                     f"{'、'.join('《' + t + '》' for t in doc.forms)} |")
    lines += ["", "## 需要核对的地方", ""]
    any_note = False
    for doc in result.documents:
        for text in doc.notes:
            lines.append(f"- {doc.code}：{text}")
            any_note = True
    for form in result.forms:
        lines.append(f"- 表单 {form['code']}《{form['title']}》（{form['where']}）：原稿只有表名，"
                     f"forms/{form['id']}.yaml 是占位，请补充字段")
        any_note = True
    if not any_note:
        lines.append("- 无")
    lines += ["", "## 未归类、未导入的内容", ""]
    if result.unclassified:
        lines += [f"- {u}" for u in result.unclassified]
    else:
        lines.append("- 无")
    return "\n".join(lines) + "\n"


def write_output(result: Imported, dest: Path, quiet: bool, lang: str = "zh-CN") -> None:
    form_ids = {f["title"]: f["id"] for f in result.forms}
    values = {"year": result.year, "today": result.date or "", "title": result.title or "管理手册"}
    write_repo_files(dest, values)
    mkdocs = site_config_template()
    if mkdocs is not None:
        shutil.copyfile(mkdocs, dest / "mkdocs.yml")
    (dest / "manual").mkdir(exist_ok=True)
    (dest / "policies").mkdir(exist_ok=True)
    (dest / "forms").mkdir(exist_ok=True)
    (dest / "manual" / "manual.yaml").write_text(write_manual_yaml(result), encoding="utf-8")
    (dest / "manual" / "roles.yaml").write_text(write_roles_yaml(result), encoding="utf-8")
    for doc in progress(result.documents, label_text("cli.authoring.import_writing", lang), quiet=quiet, label=lambda d: d.code):
        (dest / "policies" / f"{doc.code}.md").write_text(write_document(doc, result, form_ids), encoding="utf-8")
    for form in result.forms:
        (dest / "forms" / f"{form['id']}.yaml").write_text(write_form(form, result), encoding="utf-8")


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

