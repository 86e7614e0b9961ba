"""The 非受控 mark on the site's downloads (#21.3), read back from the files a user downloads.

One module-scoped manual (the minimal one, released signed as 2020.1, then built whole: forms, pdf,
docx and site) is read back: every page of every PDF and DOCX under site/ carries the mark (pypdf;
python-docx and LibreOffice's PDF of the DOCX), the forms are still fillable, dist/ and editions/ are
the unmarked masters, the signed edition still verifies and its marked download keeps the signed
revision.  Then the site is built again (cached and with --no-cache: the same bytes) and with the mark
configured in manual.yaml.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from conftest import MINIMAL, copy_manual, run_cli
from test_docx import _soffice_convert
from test_editions_signing import make_p12
from generator.model.build import read_manual
from generator.publishers.release import earlier_revisions, verify_pdf
from generator.publishers.site import downloads as site_downloads

pytestmark = pytest.mark.slow

MARK = "非受控文件，仅供参考；以网站现行版本为准"
EDITION = "2020.1"


def text_of(pdf: Path) -> list[str]:
    return [(page.extract_text() or "").replace(" ", "").replace("\n", "") for page in PdfReader(str(pdf)).pages]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def site_files(root: Path, suffix: str) -> list[Path]:
    return sorted(p for p in (root / "site").rglob(f"*{suffix}") if "downloads" in p.parts)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("uncontrolled")
    root = copy_manual(MINIMAL, base / "m")
    p12, pem, password = make_p12(base)
    released = run_cli("release", EDITION, "--date", "2020-03-01", "--sign", p12, "--root", root,
                       env={"MANUAL_SIGN_PASSWORD": password.decode()})
    assert released.returncode == 0, released.stderr
    result = run_cli("build", "--root", root, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_every_page_of_every_downloaded_pdf_carries_the_mark(built):
    pdfs = site_files(built, ".pdf")
    names = {p.relative_to(built / "site").as_posix() for p in pdfs}
    # the manual, each document, each form, and the edition's own PDF
    assert {"downloads/manual.pdf", "downloads/documents/0101-2020.pdf", "downloads/forms/visit-record.pdf",
            f"editions/{EDITION}/downloads/manual.pdf"} <= names
    for pdf in pdfs:
        pages = text_of(pdf)
        assert pages and all(MARK in page for page in pages), pdf


def test_dist_and_editions_are_the_unmarked_masters(built):
    masters = sorted((built / "dist").rglob("*.pdf")) + [built / "editions" / EDITION / "manual.pdf"]
    for pdf in masters:
        assert not any(MARK in page for page in text_of(pdf)), pdf
    for name in ("manual.pdf", "documents/0101-2020.pdf", "forms/visit-record.pdf"):
        copy, master = built / "site/downloads" / name, built / "dist" / name
        data = copy.read_bytes()
        assert data != master.read_bytes() and data.startswith(master.read_bytes())  # an appended revision
    for suffix in (".pdf", ".docx"):
        for copy in site_files(built, suffix):
            assert not any(copy.samefile(m) for m in (built / "dist").rglob(f"*{suffix}"))  # never a link


def test_the_forms_stay_fillable(built):
    master = PdfReader(str(built / "dist/forms/visit-record.pdf"))
    copy = PdfReader(str(built / "site/downloads/forms/visit-record.pdf"))
    assert "/AcroForm" in copy.trailer["/Root"]
    fields, expected = copy.get_fields(), master.get_fields()
    assert expected and set(fields) == set(expected)
    flags = {name: int(f.get("/Ff", 0)) for name, f in fields.items()}
    assert flags == {name: int(f.get("/Ff", 0)) for name, f in expected.items()}
    assert any(flag & 2 for flag in flags.values())  # Required survives
    widgets = [a.get_object() for page in copy.pages for a in page.get("/Annots") or []]
    assert len(widgets) == len([a for page in master.pages for a in page.get("/Annots") or []])


def test_the_mark_sits_in_the_top_margin_above_everything_else(built):
    """Where the mark is drawn: in the top 20 pt of each page, and nothing else of the page is there."""
    for name in ("forms/visit-record.pdf", "manual.pdf"):
        reader = PdfReader(str(built / "site/downloads" / name))
        master = PdfReader(str(built / "dist" / name))
        for page, original in zip(reader.pages, master.pages):
            height = float(page.mediabox.height)
            tops: list[tuple[float, str]] = []

            def visit(text, cm, tm, font, size, into=tops):
                if text.strip():
                    into.append((cm[5] + tm[5] * cm[3], text))

            page.extract_text(visitor_text=visit)
            mark = [y for y, text in tops if len(text.strip()) >= 6 and text.strip() in MARK]
            assert mark and all(y > height - 20 for y in mark), (name, mark)
            rest: list = []
            original.extract_text(visitor_text=lambda t, cm, tm, f, s: rest.append(cm[5] + tm[5] * cm[3])
                                  if t.strip() else None)
            assert all(y < height - 22 for y in rest), (name, max(rest))


def test_every_docx_download_has_the_mark_in_each_page_header(built):
    files = site_files(built, ".docx")
    assert {p.name for p in files} >= {"manual.docx", "0101-2020.docx", "visit-record.docx"}
    for path in files:
        document = docx.Document(str(path))
        for i, section in enumerate(document.sections):
            header = section.header
            if header.is_linked_to_previous:
                assert i > 0, path
                continue
            assert header.paragraphs[0].text == MARK, (path, i)
    master = docx.Document(str(built / "dist/manual.docx"))
    assert all(MARK not in p.text for s in master.sections for p in s.header.paragraphs)


def test_libreoffice_shows_the_docx_mark_on_every_page(built, tmp_path):
    out = _soffice_convert(built / "site/downloads/manual.docx", tmp_path / "out", tmp_path / "lo-profile")
    pages = text_of(out)
    assert len(pages) > 2 and all(MARK in page for page in pages)


def test_the_signed_edition_still_verifies_and_its_download_keeps_the_signed_revision(built):
    original = built / "editions" / EDITION / "manual.pdf"
    assert run_cli("verify", "--edition", EDITION, "--root", built).returncode == 0
    assert run_cli("verify", original, "--root", built).returncode == 0
    download = built / "site/editions" / EDITION / "downloads/manual.pdf"
    assert original.read_bytes() in earlier_revisions(download.read_bytes())
    [signature] = verify_pdf(download)
    assert signature["intact"] and signature["valid"] and signature["signed_bytes"] == original.stat().st_size
    result = run_cli("verify", download, "--root", built, "--lang", "en")
    # a download is nobody's controlled copy: not vouched for, but verify says what it holds
    assert result.returncode == 1, result.stdout
    assert f"first revision is manual.pdf of edition {EDITION}" in result.stdout
    assert "lists no controlled copy" in result.stdout and "modified after signing: OTHER" in result.stdout


def test_the_site_build_is_deterministic_and_cached(built, tmp_path):
    files = {p: sha(p) for suffix in (".pdf", ".docx") for p in site_files(built, suffix)}
    cache = built / site_downloads.FOLDER
    cached = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert len(cached) == len(files)
    again = run_cli("build", "site", "--root", built, "--quiet")
    assert again.returncode == 0, again.stderr
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == cached  # nothing marked again
    fresh = run_cli("build", "site", "--no-cache", "--jobs", "2", "--root", built, "--quiet")
    assert fresh.returncode == 0, fresh.stderr
    assert {p: sha(p) for p in files} == files  # marked again from scratch, in two workers: the same bytes
    single = run_cli("build", "site", "--no-cache", "--jobs", "1", "--root", built, "--quiet")
    assert single.returncode == 0, single.stderr
    assert {p: sha(p) for p in files} == files  # and in one process
    assert {p.name for p in cache.iterdir()} == set(cached)


def test_the_mark_is_configured_in_manual_yaml(built, tmp_path):
    root = tmp_path / "m"
    shutil.copytree(built, root)
    for path in root.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    config = root / "manual/manual.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "control:\n  uncontrolled_mark: 仅供培训使用\n",
                      encoding="utf-8")
    assert run_cli("check", "--root", root).returncode == 0  # schema accepts it; approval not reopened
    result = run_cli("build", "site", "--root", root, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    for pdf in site_files(root, ".pdf"):
        pages = text_of(pdf)
        assert all("仅供培训使用" in page and MARK not in page for page in pages), pdf
    # only copies with the new mark are left in the cache
    assert len(list((root / site_downloads.FOLDER).iterdir())) == len(site_files(root, ".pdf")) + len(
        site_files(root, ".docx"))


def test_the_default_mark_follows_the_manual_language(minimal):
    manual, _ = read_manual(minimal)
    assert site_downloads.mark_text(manual) == MARK
    manual.locale = "en"
    assert site_downloads.mark_text(manual).startswith("Uncontrolled copy")
    manual.uncontrolled_mark = "自定义"
    assert site_downloads.mark_text(manual) == "自定义"


def test_a_download_that_cannot_be_marked_stops_the_site_build(minimal):
    (minimal / "dist").mkdir()
    (minimal / "dist/manual.pdf").write_bytes(b"%PDF-1.7 not really a PDF\n")
    result = run_cli("build", "site", "--root", minimal)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "manual.pdf" in result.stderr and "非受控" in result.stderr and "Traceback" not in result.stderr
    assert not (minimal / "site").exists()


NOTICE = "受控文件，未经批准不得复制；打印件以网站现行版本为准。"


def test_a_download_does_not_also_read_controlled_on_its_cover(built, tmp_path):
    """A cover that shows the controlled-copy notice (manual.yaml's controlled_copy, a red box) must not
    read 受控 in a copy marked 非受控 (#21 review B7): in the download, the notice is covered by white paper
    carrying the 非受控 mark in its place; dist/ keeps the notice; the copy is the same bytes when made
    again."""
    import pdfplumber

    from generator.publishers.stamp import uncontrolled_pdf

    root = tmp_path / "m"
    shutil.copytree(built, root)
    for path in root.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    config = root / "manual/manual.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "manual:\n", f"manual:\n  controlled_copy: {NOTICE}\n", 1), encoding="utf-8")
    result = run_cli("build", "pdf", "site", "--root", root, "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    master, download = root / "dist/manual.pdf", root / "site/downloads/manual.pdf"
    assert NOTICE in text_of(master)[0] and MARK not in text_of(master)[0]  # the master is untouched
    first = text_of(download)[0]
    assert first.count(MARK) == 2, first  # the top margin's mark and the one in the notice's place
    with pdfplumber.open(master) as before, pdfplumber.open(download) as after:
        red = [c for c in before.pages[0].chars if len(c["non_stroking_color"] or ()) == 3
               and c["non_stroking_color"][0] > 0.5 and c["non_stroking_color"][1] < 0.3]
        chars = [c for c in red if c["text"] in NOTICE]
        assert "".join(c["text"] for c in red) == NOTICE  # the cover's one red text
        notice = (min(c["x0"] for c in chars), min(c["top"] for c in chars),
                  max(c["x1"] for c in chars), max(c["bottom"] for c in chars))
        white = [r for r in after.pages[0].rects if r.get("fill") and r.get("non_stroking_color") in
                 ((1, 1, 1), (1.0, 1.0, 1.0), [1, 1, 1], (1,), 1)]
        assert any(r["x0"] <= notice[0] and r["top"] <= notice[1] and r["x1"] >= notice[2]
                   and r["bottom"] >= notice[3] for r in white), (notice, white)
        # the other pages keep only the top margin's mark
        assert all(t.count(MARK) == 1 for t in text_of(download)[1:])
    assert uncontrolled_pdf(master.read_bytes(), MARK, NOTICE) == uncontrolled_pdf(master.read_bytes(), MARK, NOTICE)
