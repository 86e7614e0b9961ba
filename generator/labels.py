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


def labels(lang: str = "zh-CN") -> dict:
    return LABELS.get(lang, LABELS["zh-CN"])


def status_label(status: str, lang: str = "zh-CN") -> str:
    return labels(lang)["status"].get(status, status)


def step_label(step: str, lang: str = "zh-CN") -> str:
    return labels(lang)["step"].get(step, step)


# Fixed words printed on forms (generator/publishers/forms.py).
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
