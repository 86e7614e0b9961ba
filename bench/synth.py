"""A synthetic manual for scale runs: N documents, M forms, realistic Chinese text.

    python bench/synth.py OUT_DIR --documents 2000 --forms 200

The text is drawn from clause material of the kind the shipped manual holds,
with references between documents, form citations, roles and full sign-offs,
so that every rule and every renderer has real work to do.  The result passes
``manual check``.
"""
from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

CLAUSES = [
    "客服部应定期对客户进行访问，原则上每月必须访问大客户一次以上。",
    "客服人员访问出发前，应准备好要访问客户的一些资料，以免遗漏或差错。",
    "对客户提出的意见、建议要及时记录，能当场处理的应立即予以解决，不能处理的回公司上报主管。",
    "收集、汇总客户原始资料，根据所获资料详细填制客户资料卡。",
    "经常注意与客户交易情况，如有变化应及时更新资料，保证资料的正确性。",
    "需要查阅相关客户资料应填写查档申请，写明查阅对象、目的、理由，并由部门负责人签字。",
    "以最经济的库存量来满足最大的需求，缩短库存周期，增加资金周转率。",
    "针对客户的需求，结合现有库存量及规格，进行分析统计，合理安排每月订货计划。",
    "业务部每周举行例会，根据需要临时会议另行通知。",
    "部门或员工在工作中遇到的问题、困难可在会上提出，群策群力商议解决。",
    "负责对公司库存监控工作，与相关部门定期对库存盘点、清理，优化库存组合并提供相关报告。",
    "负责产品的质量控制和分析工作，做好客户投诉和质量异议处理工作。",
    "建立客户资料档案，健全客户档案资料，随时根据情况的变化进行更新。",
    "定期与服务单位进行往来帐款核对，做到来往帐目清晰，核对及时，并对应收帐款及时进行催讨。",
]
SUBITEMS = ["泄漏秘密，但未造成严重后果或经济损失的；", "已泄漏，但及时采取了补救措施的；", "违反保密规定，为他人提供公司商业机密的。"]
ROLES = [("总经理", None, 0, True), ("业务经理", "总经理", 1, False), ("销售经理", "业务经理", 1, False),
         ("业务主管", "业务经理", 1, False), ("业务员", "销售经理", 4, False), ("业务跟单员", "业务主管", 2, False)]
HEADINGS = ["一、目的", "二、适用范围", "三、职责", "四、工作程序", "五、附则"]


def write_manual(out: Path, documents: int, forms: int, seed: int = 7, year: int = 2014) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "manual").mkdir(parents=True)
    (out / "policies").mkdir()
    (out / "forms").mkdir()
    per_chapter = 60
    chapters = (documents + per_chapter - 1) // per_chapter
    codes = [f"{c + 1:02d}{s + 1:02d}-{year}" for c in range(chapters) for s in range(per_chapter)][:documents]
    lines = [
        "company: {name: 示例集团有限公司, short: 示例集团}",
        "department: 业务部",
        f"manual: {{title: 集团业务管理手册, edition: '{year}', date: {year}-05-20}}",
        "locale: zh-CN",
        "code_scheme:",
        "  pattern: '^(?P<chapter>\\d{2})(?P<seq>\\d{2})-(?P<year>\\d{4})$'",
        "  format: '{chapter:02d}{seq:02d}-{year}'",
        f"  year: {year}",
        "review: {default_months: 120}",
        "signoff_policy: {approved: [总经理]}",
        "chapters:",
    ]
    for c in range(chapters):
        chunk = codes[c * per_chapter:(c + 1) * per_chapter]
        lines.append(f"  - number: '{c + 1:02d}'")
        lines.append(f"    title: 第{c + 1}章")
        lines.append(f"    documents: [{', '.join(chunk)}]")
    (out / "manual" / "manual.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    staffed = sum(h for _, _, h, _ in ROLES)
    roles = ["department_head: 业务经理", f"authorized_headcount: {staffed}", "roles:"]
    for rid, parent, head, external in ROLES:
        parts = [f"id: {rid}"] + ([f"reports_to: {parent}"] if parent else []) + \
                ([f"headcount: {head}"] if head else []) + (["external: true"] if external else [])
        roles.append("  - {" + ", ".join(parts) + "}")
    (out / "manual" / "roles.yaml").write_text("\n".join(roles) + "\n", encoding="utf-8")

    form_ids = [f"form-{i + 1:04d}" for i in range(forms)]
    form_titles = [f"业务记录表{i + 1:04d}" for i in range(forms)]
    for i, fid in enumerate(form_ids):
        (out / "forms" / f"{fid}.yaml").write_text(
            f"id: {fid}\ncode: {codes[i % len(codes)][:4]}-F{i + 1}\ntitle: {form_titles[i]}\nversion: '1.0'\n"
            "status: effective\npaper: A4\nfields:\n"
            "  - {id: customer, label: 客户名称, type: text, required: true}\n"
            "  - {id: visit_date, label: 日期, type: date}\n"
            "  - {id: method, label: 方式, type: choice, options: [上门, 电话]}\n"
            "  - {id: note, label: 说明, type: multiline, rows: 3}\n"
            "  - {id: sign, label: 签字, type: signature}\n"
            + _signoff(year) + _revisions(), encoding="utf-8")

    for i, code in enumerate(codes):
        used = [form_ids[i % forms]] if forms else []
        refs = sorted({codes[rng.randrange(len(codes))] for _ in range(2)} - {code})
        body = []
        for h in HEADINGS[: rng.randint(2, 5)]:
            body.append(f"## {h}\n")
            for n in range(1, rng.randint(3, 8)):
                body.append(f"{n}. {rng.choice(CLAUSES)}")
                if rng.random() < 0.15:
                    body.extend(f"   {k}. {s}" for k, s in enumerate(SUBITEMS, 1))
            body.append("")
        if used:
            body.append(f"附：《{form_titles[i % forms]}》\n")
        front = (f"code: {code}\ntitle: 业务管理制度{i + 1:04d}\nkind: policy\nversion: '1.0'\nstatus: effective\n"
                 f"effective: {year}-05-20\nlast_review: 2026-01-10\nowner: 业务经理\nuses_forms: [{', '.join(used)}]\n"
                 f"references: {{documents: [{', '.join(refs)}], roles: [业务员]}}\n" + _signoff(year) + _revisions())
        (out / "policies" / f"{code}.md").write_text(f"---\n{front}---\n\n" + "\n".join(body), encoding="utf-8")
    return out


def _signoff(year: int) -> str:
    return ("signoff:\n"
            f"  prepared: {{name: 示例甲, role: 业务经理, date: {year}-05-12}}\n"
            f"  reviewed: {{name: 示例乙, role: 业务经理, date: {year}-05-15}}\n"
            f"  approved: {{name: 示例丙, role: 总经理, date: {year}-05-18}}\n")


def _revisions() -> str:
    return "revisions:\n  - {version: '1.0', date: 2014-05-12, summary: 首次发布, by: 业务部}\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--documents", type=int, default=500)
    p.add_argument("--forms", type=int, default=50)
    args = p.parse_args(argv)
    write_manual(args.out, args.documents, args.forms)
    print(args.out)


if __name__ == "__main__":
    main()
