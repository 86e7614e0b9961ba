"""``manual ack sheet EDITION``: the paper 阅知确认表 (read-and-acknowledge sheet) of an edition.

The documents of the released edition ``EDITION`` whose version there is their current version and a
substantive change (``model.acks.requirements``) are listed with their change summary and change
request; under them, per department, the people who must acknowledge them, with the documents that
concern each and empty 签名 and 日期 columns for the pen.  One department per sheet (A4; a long list
flows onto a second page with the table's header repeated).  The manual's department holds everyone with
one of its posts; people holding only posts outside it (``external: true``) sign a sheet of their own.

Jinja (``templates/acksheet/sheet.html.j2``) + WeasyPrint, words from the catalogue (``ack.sheet``);
deterministic (no creation date), written atomically to ``dist/ack/<EDITION>-阅知确认表.pdf`` or ``--out``.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..common.outputs import atomic_write_bytes
from ..common.resources import TEMPLATES
from ..labels import labels
from ..model.acks import department, posts, requirements
from ..read.editions import MANIFEST, editions_dir

FONTS = '"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif'


def sheet_model(manual, edition: str) -> dict | None:
    """What the sheet shows, as plain data; None when the edition holds no change to acknowledge."""
    from ..model.review import today

    manifest = json.loads((editions_dir(manual.root) / edition / MANIFEST).read_text(encoding="utf-8"))
    in_edition = {e.get("code"): str(e.get("version", "")) for e in manifest.get("documents", [])}
    reqs = [r for r in requirements(manual) if in_edition.get(r.document.code) == r.version]
    if not reqs:
        return None
    on = today(manual)
    lang = manual.locale if manual.locale in ("zh-CN", "en") else "zh-CN"
    words = labels(lang)["ack"]["sheet"]
    documents = [{"code": r.document.code, "title": r.document.title, "version": r.version,
                  "since": r.since.isoformat() if r.since else "", "summary": r.revision.summary,
                  "change": r.revision.change} for r in reqs]
    groups: dict[str | None, list[dict]] = {}
    for pid in manual.people:  # people.yaml's order
        codes = [r.document.code for r in reqs if pid in r.people]
        if codes:
            person = manual.people[pid]
            groups.setdefault(department(manual, pid, on), []).append(
                {"name": person.name or pid, "id": pid, "post": "、".join(posts(manual, pid, on)),
                 "codes": codes, "documents": "、".join(codes)})
    order = sorted(groups, key=lambda d: (d is None, d or ""))  # the department first, people outside it last
    departments = [{"name": words["outside"] if d is None else d,
                    "documents": [doc for doc in documents if any(doc["code"] in p["codes"] for p in groups[d])],
                    "people": groups[d]} for d in order]
    return {"lang": lang, "W": words, "company": manual.company, "manual_title": manual.title, "edition": edition,
            "departments": departments, "fonts": FONTS, "people_count": sum(len(g) for g in groups.values())}


def render_html(model: dict) -> str:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(str(TEMPLATES / "acksheet")), autoescape=True,
                      undefined=StrictUndefined, keep_trailing_newline=True)
    return env.get_template("sheet.html.j2").render(**model)


def build_sheet(manual, edition: str, out: Path | None = None) -> dict | None:
    """Write the sheet of ``edition``; {path, departments, people}, or None when there is nothing to sign."""
    import weasyprint

    model = sheet_model(manual, edition)
    if model is None:
        return None
    folder = Path(out) if out else Path(manual.root) / "dist" / "ack"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{edition}-{model['W']['title']}.pdf".replace(" ", "-")
    data = weasyprint.HTML(string=render_html(model), base_url=str(TEMPLATES / "acksheet")).write_pdf()
    atomic_write_bytes(folder / name, data)
    shown = folder / name
    try:
        shown = shown.resolve().relative_to(Path(manual.root).resolve())
    except ValueError:
        pass
    return {"path": str(shown), "departments": len(model["departments"]), "people": model["people_count"]}
