"""``manual status [--format text|json]``: what a document controller asks first.

The manual's edition and date and the edition in force; documents and forms by status; the open change
requests (not yet approved, or approved but not yet in a released version); the controlled copies still
out, per holder (copy numbers, edition, issue date, whether that edition is superseded).  The data comes
from ``generator.model.register``; the words from the label catalogue (``control_status``).

A manual with errors still shows its status, and says that it has errors.  Exit 0.
On a terminal the lists are tables (rich); otherwise (a pipe, a file, a test) plain lines.
"""
from __future__ import annotations

import json
import sys

from ..errors import EXIT_OK
from ..labels import labels, status_label
from ..model import Document, register
from ..read.editions import list_editions
from ..rules import report
from ..rules.check import check
from . import options


def _date(value) -> str:
    return value.isoformat() if value is not None else ""


def status_data(manual, findings, manifests: list[dict]) -> dict:
    """Everything ``manual status`` shows, as plain data (the JSON output)."""
    errors, warnings = report.counts(findings)
    latest = register.latest_edition(manifests)
    by_status = {status: [{"kind": "document" if isinstance(item, Document) else "form", "code": item.code,
                           "id": "" if isinstance(item, Document) else item.id,
                           "title": item.title, "version": item.version}
                          for item in items]
                 for status, items in register.by_status(manual).items()}
    requests = []
    for entry in register.open_requests(manual, manifests):
        r = entry.request
        released = set(entry.released)
        requests.append({"number": r.number, "path": r.path, "documents": list(r.documents), "reason": r.reason,
                         "class": r.change_class, "state": entry.state, "approved": entry.approved,
                         "revisions": [{"code": c, "version": v, "released": (c, v) in released}
                                       for c, v in entry.carried]})
    outstanding = [{"holder": g.holder, "name": g.name, "edition": g.edition, "copies": g.numbers,
                    "issued": [_date(d) for d in g.issued], "superseded": g.superseded}
                   for g in register.held_copies(manual, manifests)]
    recalled = [{"edition": c.edition, "copy": c.copy, "holder": c.holder, "issued": _date(c.issued),
                 "recalled": _date(c.recalled)} for c in register.recalled_copies(manual)]
    return {
        "manual": {"title": manual.title, "edition": manual.edition, "date": _date(manual.date)},
        "edition_in_force": ({"edition": str(latest.get("edition", "")), "released": register.edition_date(latest)}
                             if latest else None),
        "check": {"errors": errors, "warnings": warnings},
        "documents_by_status": by_status,
        "open_change_requests": requests,
        "copies": {"outstanding": outstanding, "recalled": recalled},
    }


def _numbers(numbers: list[int], sep: str) -> str:
    return sep.join(f"{n:02d}" for n in numbers)


def _holder(entry: dict) -> str:
    return f"{entry['name']}（{entry['holder']}）" if entry["name"] else entry["holder"]


def text_parts(data: dict, lang: str) -> dict:
    """The report's pieces in words: header lines, and each section's heading and rows (lists of cells)."""
    w = labels(lang)["control_status"]
    sep = labels(lang)["register"]["sep"]
    m = data["manual"]
    head = [w["title"], w["manual"].format(title=m["title"], edition=m["edition"] or "—", date=m["date"] or "—")]
    ed = data["edition_in_force"]
    head.append(w["in_force"].format(edition=ed["edition"], date=ed["released"] or "—") if ed else w["no_release"])
    c = data["check"]
    head.append(w["has_errors"].format(**c) if c["errors"] else w["clean"].format(warnings=c["warnings"]))
    statuses = [(w["status_count"].format(status=status_label(s, lang), count=len(items)),
                 [[i["code"] or i["id"], i["title"], i["version"]] for i in items])
                for s, items in data["documents_by_status"].items()]

    def state(r: dict) -> str:
        if r["state"] == "not_released":
            versions = sep.join(f"{x['code']} {x['version']}" for x in r["revisions"] if not x["released"])
            return w["not_released"].format(versions=versions)
        return w[r["state"]]

    requests = [[r["number"], sep.join(r["documents"]), state(r), r["reason"]] for r in data["open_change_requests"]]
    copies = [[_holder(g), g["edition"], _numbers(g["copies"], sep), sep.join(g["issued"]),
               w["superseded"] if g["superseded"] else w["current"]] for g in data["copies"]["outstanding"]]
    return {"head": head, "errors": bool(c["errors"]), "statuses": statuses, "requests": requests, "copies": copies,
            "recalled": len(data["copies"]["recalled"]), "w": w}


def write_plain(parts: dict, out) -> None:
    w = parts["w"]
    for line in parts["head"]:
        print(line, file=out)
    print(file=out)
    print(w["by_status"], file=out)
    for label, items in parts["statuses"]:
        print(f"  {label}", file=out)
        for code, title, version in items:
            print(f"    {code}  {title}  {version}", file=out)
    print(file=out)
    print(w["requests"], file=out)
    for number, docs, state, reason in parts["requests"]:
        print(f"  {number}  {docs}  {state}  {reason}".rstrip(), file=out)
    if not parts["requests"]:
        print("  " + w["requests_none"], file=out)
    print(file=out)
    print(w["copies"], file=out)
    for holder, edition, numbers, issued, state in parts["copies"]:
        line = w["copy_line"].format(holder=holder, edition=edition, numbers=numbers, issued=issued)
        print(f"  {line}  [{state}]", file=out)
    if not parts["copies"]:
        print("  " + w["copies_none"], file=out)
    if parts["recalled"]:
        print("  " + w["recalled"].format(n=parts["recalled"]), file=out)


def write_rich(parts: dict, out) -> None:
    from rich.console import Console
    from rich.table import Table

    w = parts["w"]
    console = Console(file=out, highlight=False)
    console.print(parts["head"][0], style="bold")
    for line in parts["head"][1:-1]:
        console.print(line)
    console.print(parts["head"][-1], style="bold red" if parts["errors"] else "green")
    table = Table(title=w["by_status"], title_justify="left", show_header=False)
    table.add_column(style="bold", no_wrap=True)
    for _ in range(3):
        table.add_column()
    for label, items in parts["statuses"]:
        for i, (code, title, version) in enumerate(items):
            table.add_row(label if i == 0 else "", code, title, version, end_section=i == len(items) - 1)
    console.print(table)
    if parts["requests"]:
        table = Table(title=w["requests"], title_justify="left")
        for col in ("request_col", "documents_col", "state_col", "reason_col"):
            table.add_column(w[col])
        for row in parts["requests"]:
            table.add_row(*row)
        console.print(table)
    else:
        console.print(w["requests"], style="bold")
        console.print(w["requests_none"])
    if parts["copies"]:
        table = Table(title=w["copies"], title_justify="left")
        for col in ("holder_col", "edition_col", "copies_col", "issued_col", "state_col"):
            table.add_column(w[col])
        for *cells, state in parts["copies"]:
            table.add_row(*cells, state, style="red" if state == w["superseded"] else None)
        console.print(table)
    else:
        console.print(w["copies"], style="bold")
        console.print(w["copies_none"])
    if parts["recalled"]:
        console.print(w["recalled"].format(n=parts["recalled"]))


def run(args) -> int:
    root = options.root(args)
    manual, findings = check(root)
    lang = options.lang(args, manual)
    data = status_data(manual, findings, list_editions(root))
    out = sys.stdout
    if args.format == "json":
        out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif out.isatty():
        write_rich(text_parts(data, lang), out)
    else:
        write_plain(text_parts(data, lang), out)
    return EXIT_OK
