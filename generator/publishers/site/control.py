"""The site's document-control pages, as plain data for their templates (``render.site_model`` adds them):

* ``register.md`` – 受控文件清单, the register of controlled documents: every document and form with code,
  title, current version, status, effective date, owner, where it is kept (its page, the edition in force
  that holds it, the outstanding paper copies of that edition), retention and superseded versions with
  their editions; the PDF of the same register (``dist/register.pdf``) as a download;
* ``copies.md`` – 受控文件发放, the controlled copies still out per holder (a superseded edition's marked)
  and, in a second table, the recalled ones; only for a manual with a distribution register.

The rows come from ``generator.model.register``; the words from the label catalogue (``register``,
``copies_page``).  Neither page is part of a released edition's site: both describe the present state.
"""
from __future__ import annotations

from ...labels import labels
from ...model import Manual, register
from ..render.register import REGISTER_PDF, manifests, register_heading, register_rows
from .paths import DOWNLOADS_DIR, rel

REGISTER_PAGE = "register.md"
COPIES_PAGE = "copies.md"


def _date(value) -> str:
    return value.isoformat() if value is not None else ""


def register_context(manual: Manual, found: list[dict], downloads: dict, lang: str) -> dict:
    page = REGISTER_PAGE
    rows = register_rows(manual, found, lang)
    for row in rows:
        row["href"] = rel(page, row["page"])
    pdf = rel(page, f"{DOWNLOADS_DIR}/{REGISTER_PDF}") if REGISTER_PDF in downloads else None
    return {"R": labels(lang)["register"], "as_of": register_heading(found, lang), "pdf": pdf,
            "documents": [r for r in rows if r["kind"] == "document"],
            "forms": [r for r in rows if r["kind"] == "form"]}


def copies_context(manual: Manual, found: list[dict], lang: str) -> dict:
    w = labels(lang)["copies_page"]
    sep = labels(lang)["register"]["sep"]
    latest = register.latest_edition(found)
    latest_name = str(latest.get("edition", "")) if latest else ""
    released = {str(m.get("edition", "")) for m in found}

    def holder(name: str, holder_id: str) -> str:
        return f"{name}（{holder_id}）" if name else holder_id

    out = []
    for g in register.held_copies(manual, found):
        if g.superseded:
            state = w["superseded"].format(latest=latest_name)
        else:
            state = w["current"] if g.edition in released else w["not_released"]
        out.append({"holder": holder(g.name, g.holder), "edition": g.edition,
                    "copies": sep.join(f"{n:02d}" for n in g.numbers), "issued": sep.join(map(_date, g.issued)),
                    "superseded": g.superseded, "state": state})
    back = [{"holder": holder(register.holder_name(manual, c.holder), c.holder), "edition": c.edition,
             "number": f"{c.copy:02d}" if c.copy is not None else "", "issued": _date(c.issued),
             "recalled": _date(c.recalled)} for c in register.recalled_copies(manual)]
    return {"C": w, "outstanding": out, "recalled": back}


def pages(manual: Manual, downloads: dict, lang: str) -> list[tuple[str, str, str, dict]]:
    """(path, template, title, context) of the document-control pages of the main site."""
    found = manifests(manual)
    out = [(REGISTER_PAGE, "register.md.j2", labels(lang)["register"]["title"],
            register_context(manual, found, downloads, lang))]
    if manual.copies:
        out.append((COPIES_PAGE, "copies.md.j2", labels(lang)["copies_page"]["title"],
                    copies_context(manual, found, lang)))
    return out
