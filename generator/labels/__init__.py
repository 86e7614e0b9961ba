"""Interface labels: zh-CN first, English second.

Publishers take every fixed word of the interface from here, so the
outputs speak the manual's locale.
"""
from __future__ import annotations

LABELS = {
    "zh-CN": {
        "status": {"draft": "草稿", "in_review": "审核中", "approved": "已批准", "effective": "生效",
                   "superseded": "已作废"},
        "kind": {"statement": "宗旨", "organisation": "组织", "procedure": "流程", "job": "岗位职责",
                 "policy": "制度"},
        "step": {"prepared": "编制", "reviewed": "审核", "approved": "批准"},
        "field": {"code": "编号", "title": "标题", "version": "版本", "status": "状态", "effective": "生效日期",
                  "owner": "归口岗位", "next_review": "下次评审", "last_review": "上次评审", "kind": "类别",
                  "name": "姓名", "role": "岗位", "date": "日期", "summary": "修订内容", "by": "修订人",
                  "revisions": "修订记录", "signoff": "签署", "forms": "相关表单", "referenced_by": "引用本文件的文件",
                  "references": "引用文件", "page": "第 {n} 页", "pages": "共 {n} 页", "contents": "目录",
                  "headcount": "人数", "post": "岗位", "total": "合计", "authorized": "岗位核定人数",
                  "reports_to": "行政隶属上级主管", "duties": "主要职责", "step_no": "步骤", "responsible": "责任岗位",
                  "appendix_forms": "附录：表单", "draft_banner": "本文件尚未批准，仅供审阅",
                  "superseded_banner": "本文件已作废，仅供查阅"},
    },
    "en": {
        "status": {"draft": "Draft", "in_review": "In review", "approved": "Approved", "effective": "Effective",
                   "superseded": "Superseded"},
        "kind": {"statement": "Statement", "organisation": "Organisation", "procedure": "Procedure",
                 "job": "Job description", "policy": "Policy"},
        "step": {"prepared": "Prepared", "reviewed": "Reviewed", "approved": "Approved"},
        "field": {"code": "Code", "title": "Title", "version": "Version", "status": "Status",
                  "effective": "Effective", "owner": "Owner", "next_review": "Next review",
                  "last_review": "Last review", "kind": "Kind", "name": "Name", "role": "Role", "date": "Date",
                  "summary": "Summary", "by": "By", "revisions": "Revision history", "signoff": "Sign-off",
                  "forms": "Forms", "referenced_by": "Referenced by", "references": "References",
                  "page": "Page {n}", "pages": "of {n}", "contents": "Contents", "headcount": "Headcount",
                  "post": "Post", "total": "Total", "authorized": "Authorized headcount",
                  "reports_to": "Reports to", "duties": "Duties", "step_no": "Step", "responsible": "Responsible",
                  "appendix_forms": "Appendix: forms", "draft_banner": "This document is not approved yet",
                  "superseded_banner": "This document is superseded"},
    },
}


# The staff website's own words (index pages, editions, change records).
_SITE = {
    "zh-CN": {
        "home": "首页", "documents_nav": "手册文件", "indexes": "索引", "forms_nav": "表单",
        "by_code": "文件一览（按编号）", "by_role": "岗位职责索引", "forms_library": "表单库",
        "due": "待评审文件", "changes": "本版变更", "edition": "版次", "date_issued": "发布日期",
        "no": "序号", "download": "下载", "page": "页面", "used_by": "使用本表单的文件",
        "field_label": "项目", "field_type": "类型", "required": "必填", "options": "选项", "yes": "是",
        "instructions": "填写说明", "fields": "字段", "orgchart": "组织框架图", "staffing": "人员配备",
        "workflow": "工作流程", "jobs": "岗位职责", "step_title": "工作内容", "description": "说明",
        "duty_owner": "归口管理", "duty_job": "岗位职责", "duty_step": "流程步骤", "duty_ref": "相关岗位",
        "duty_sign": "签署", "role_external": "部门外", "subordinates": "直接下属", "none": "无",
        "due_intro": "以下文件的下次评审日期已到（基准日期 {today}）：", "due_none": "截至 {today}，没有到期待评审的文件。",
        "schedule": "评审计划", "interval": "评审周期", "months": "{n} 个月", "last_reviewed": "上次评审/批准",
        "overdue": "已到期", "changes_intro": "{year} 年版次中记录的修订：",
        "changes_none": "本版次没有记录修订。", "item": "文件/表单", "whole_manual": "完整手册",
        "sample_note": "注：签署人姓名为示例姓名。", "controlled": "受控说明", "no_forms": "本文件不使用表单。",
        "not_in_nav": "已作废的文件不在导航中显示。", "type": {
            "text": "文本", "multiline": "多行文本", "date": "日期", "number": "数字", "choice": "单选",
            "multichoice": "多选", "checkbox": "勾选", "signature": "签字", "table": "表格"},
        "kind_form": "表单", "superseded_docs": "已作废文件",
        # Editions (generator/publishers/site/editions.py).
        "editions_nav": "版次", "editions_title": "版次一览", "edition_in_force": "现行版次",
        "release_label": "发布版次",
        "released": "发布日期", "previous": "上一版次", "signed": "电子签名", "changes_count": "变更",
        "open": "查阅", "edition_pages": "页面", "change_record": "变更记录", "file": "文件",
        "editions_none": "尚未发布任何版次。用 `manual release 版次`（例如 2014.1）发布一个版次。",
        "editions_intro": "现行版次为 {edition}（{released} 发布）。本网站首页显示手册的当前文本；各版次可在下表中查阅。",
        "editions_superseded_note": "已作废版次的页面均标有“已作废”横幅；其 PDF 为每页加印“已作废 SUPERSEDED”的阅读副本，"
                                    "原件的电子签名不保留；其 DOCX 在正文开头和每页页眉标有“已作废”。原件存档于 editions/<版次>/，可按下列 SHA-256 核对。",
        "hashes": "原件校验值（SHA-256）", "manifest": "清单",
        "edition_page_intro": "版次 {edition}，{released} 发布，共 {documents} 个文件。",
        "edition_all": "全部版次", "edition_first": "首次发布",
        "edition_pdf_note": "若本版次已被取代，此处的 PDF 为每页加印“已作废 SUPERSEDED”的阅读副本，原件的电子签名不保留，"
                            "DOCX 在正文开头和每页页眉标有“已作废”；原件的 SHA-256 见下表。",
        "record_since": "与现行版次 {edition}（{released} 发布）相比，当前文本的变更（尚未发布）：",
        "record_since_none": "自版次 {edition}（{released}）发布以来，当前文本没有变更。",
        "record_edition": "版次 {edition}（{released} 发布）相对于上一版次 {previous} 的变更：",
        "record_first": "版次 {edition}（{released} 发布）为首次发布的版次，包含以下文件：",
        "record_none": "没有变更。", "record_kind": {"added": "新增", "removed": "删除", "changed": "修改"},
        "old_version": "原版本", "new_version": "新版本", "redline": "修订对照",
        "redline_legend": "插入的文字以绿色下划线标出，删除的文字以红色删除线标出。",
        "record_all": "各版次的变更记录见[版次一览]({href})。",
    },
    "en": {
        "home": "Home", "documents_nav": "Documents", "indexes": "Indexes", "forms_nav": "Forms",
        "by_code": "Documents by code", "by_role": "Responsibilities by role", "forms_library": "Forms library",
        "due": "Due for review", "changes": "Changes in this edition", "edition": "Edition",
        "date_issued": "Issued", "no": "No.", "download": "Download", "page": "Page", "used_by": "Used by",
        "field_label": "Field", "field_type": "Type", "required": "Required", "options": "Options", "yes": "yes",
        "instructions": "Instructions", "fields": "Fields", "orgchart": "Organisation chart",
        "staffing": "Staffing", "workflow": "Workflow", "jobs": "Job descriptions", "step_title": "Task",
        "description": "Description", "duty_owner": "Owner", "duty_job": "Job description",
        "duty_step": "Workflow step", "duty_ref": "Referenced role", "duty_sign": "Sign-off",
        "role_external": "outside the department", "subordinates": "Direct reports", "none": "none",
        "due_intro": "These documents are due for review (as of {today}):",
        "due_none": "As of {today}, no document is due for review.", "schedule": "Review schedule",
        "interval": "Interval", "months": "{n} months", "last_reviewed": "Last reviewed/approved",
        "overdue": "due", "changes_intro": "Revisions recorded in the {year} edition:",
        "changes_none": "No revisions recorded in this edition.", "item": "Document/form",
        "whole_manual": "Whole manual", "sample_note": "Note: the names in the sign-offs are sample names.",
        "controlled": "Control note", "no_forms": "This document uses no forms.",
        "not_in_nav": "Superseded documents are not shown in the navigation.", "type": {
            "text": "Text", "multiline": "Multi-line text", "date": "Date", "number": "Number",
            "choice": "Choice", "multichoice": "Multiple choice", "checkbox": "Checkbox",
            "signature": "Signature", "table": "Table"},
        "kind_form": "Form", "superseded_docs": "Superseded documents",
        "editions_nav": "Editions", "editions_title": "Editions", "edition_in_force": "Edition in force",
        "release_label": "Released edition",
        "released": "Released", "previous": "Previous", "signed": "Signed", "changes_count": "Changes",
        "open": "Open", "edition_pages": "pages", "change_record": "change record", "file": "File",
        "editions_none": "No edition has been released yet. Release one with `manual release EDITION` "
                         "(for example 2014.1).",
        "editions_intro": "The edition in force is {edition} (released {released}). The home page of this site "
                          "shows the manual's current text; every edition can be opened below.",
        "editions_superseded_note": "Every page of a superseded edition carries a SUPERSEDED banner; its PDF is a "
                                    "reading copy stamped 已作废 SUPERSEDED on every page, without the original's "
                                    "digital signature, and its DOCX is marked SUPERSEDED atop the text and in every "
                                    "page header. The originals are archived in editions/<EDITION>/; check them "
                                    "against the SHA-256 below.",
        "hashes": "Original files (SHA-256)", "manifest": "manifest",
        "edition_page_intro": "Edition {edition}, released {released}, {documents} documents.",
        "edition_all": "All editions", "edition_first": "first edition",
        "edition_pdf_note": "When this edition is superseded, the PDF offered here is a reading copy stamped "
                            "已作废 SUPERSEDED on every page, without the original's digital signature, and the "
                            "DOCX is marked SUPERSEDED in every page header; the original's SHA-256 is below.",
        "record_since": "Changes in the current text since the edition in force, {edition} (released {released}), "
                        "not yet released:",
        "record_since_none": "The current text has not changed since edition {edition} (released {released}).",
        "record_edition": "Changes in edition {edition} (released {released}) since edition {previous}:",
        "record_first": "Edition {edition} (released {released}) is the first edition; it holds these documents:",
        "record_none": "No changes.", "record_kind": {"added": "added", "removed": "removed", "changed": "changed"},
        "old_version": "Old version", "new_version": "New version", "redline": "Redline",
        "redline_legend": "Inserted text is underlined in green, deleted text struck through in red.",
        "record_all": "The change record of every edition: see [Editions]({href}).",
    },
}

for _lang, _words in _SITE.items():
    LABELS[_lang]["site"] = _words


def labels(lang: str = "zh-CN") -> dict:
    return LABELS.get(lang, LABELS["zh-CN"])


def status_label(status: str, lang: str = "zh-CN") -> str:
    return labels(lang)["status"].get(status, status)


def step_label(step: str, lang: str = "zh-CN") -> str:
    return labels(lang)["step"].get(step, step)


# Fixed words printed on forms (generator/publishers/forms/render.py).
LABELS["zh-CN"]["form"] = {
    "code": "表单编号", "version": "版本", "effective": "生效日期", "date": "日期", "no": "序号",
    "instructions": "填写说明", "page": "第 {n} 页", "pages": "共 {n} 页", "yes": "是",
    "print": "打印", "clear": "清空", "sign_here": "签字", "required": "必填",
}
LABELS["en"]["form"] = {
    "code": "Form", "version": "Version", "effective": "Effective", "date": "Date", "no": "No.",
    "instructions": "Instructions", "page": "Page {n}", "pages": "of {n}", "yes": "Yes",
    "print": "Print", "clear": "Clear", "sign_here": "Signature", "required": "required",
}
