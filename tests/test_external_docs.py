"""External documents (control/external.yaml, 外来文件清单): a 《title》 of a registered external document
resolves instead of ``citation-unknown``; the real outputs link it to its URL (the site's HTML, the PDF's
link annotation read back with pypdf); one without a URL prints as text.  One ``manual build`` of the
minimal manual with a register of two entries, both cited."""
from __future__ import annotations

import pypdf
import pytest

from conftest import MINIMAL, copy_manual, run_cli
from generator.model.build import read_manual
from generator.model.citations import external_href
from generator.rules.check import check

URL = "https://openstd.samr.gov.cn/bzgk/gb/newGbInfo?hcno=0D7D4E8D1E6E0C8E"
REGISTER = f"""# 外来文件清单
external:
  - title: 质量管理体系 要求
    aliases: [ISO 9001]
    issuer: 国家市场监督管理总局
    number: GB/T 19001-2016
    version: 2016
    applies_to: [0101-2020]
    url: {URL}
  - title: 中华人民共和国劳动合同法
    issuer: 全国人民代表大会常务委员会
    number: 主席令第七十三号
    version: 2012
"""
CLAUSE = "4. 回访记录按《质量管理体系 要求》保存，劳动纪律按《中华人民共和国劳动合同法》执行。\n"

pytestmark = pytest.mark.xdist_group("external-docs")


def _manual(root):
    (root / "control").mkdir(parents=True, exist_ok=True)
    (root / "control" / "external.yaml").write_text(REGISTER, encoding="utf-8")
    policy = root / "policies" / "0101-2020.md"
    policy.write_text(policy.read_text(encoding="utf-8") + CLAUSE, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = _manual(copy_manual(MINIMAL, tmp_path_factory.mktemp("ext") / "m"))
    result = run_cli("build", "--quiet", "--root", root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def test_registered_titles_resolve_and_the_check_is_clean(tmp_path):
    root = _manual(copy_manual(MINIMAL, tmp_path / "m"))
    manual, findings = check(root)
    assert findings == []
    assert [(e.title, e.number, e.version, e.url) for e in manual.externals] == [
        ("质量管理体系 要求", "GB/T 19001-2016", "2016", URL), ("中华人民共和国劳动合同法", "主席令第七十三号", "2012", "")]
    # without the register, the same mentions are unknown citations at their line
    (root / "control" / "external.yaml").unlink()
    _, findings = check(root)
    assert sorted((f.rule, f.line) for f in findings) == [("citation-unknown", 29), ("citation-unknown", 29)]


def test_an_alias_resolves_too(tmp_path):
    root = _manual(copy_manual(MINIMAL, tmp_path / "m"))
    policy = root / "policies" / "0101-2020.md"
    policy.write_text(policy.read_text(encoding="utf-8").replace("《质量管理体系 要求》", "《ISO 9001》"),
                      encoding="utf-8")
    manual, findings = check(root)
    assert findings == []


def test_a_bad_register_is_a_located_finding_not_a_traceback(tmp_path):
    root = _manual(copy_manual(MINIMAL, tmp_path / "m"))
    (root / "control" / "external.yaml").write_text(REGISTER.replace(f"url: {URL}", "url: javascript:alert(1)"),
                                                    encoding="utf-8")
    result = run_cli("check", "--root", root)
    assert result.returncode != 0
    assert "control/external.yaml:9" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    manual, _ = read_manual(root)
    assert external_href(manual.externals[0]) is None  # an output never makes such a target live


def test_site_links_the_external_document_to_its_url(built):
    html = (built / "site" / "documents" / "0101-2020.html").read_text(encoding="utf-8")
    assert f'回访记录按<a href="{URL.replace("&", "&amp;")}">《质量管理体系 要求》</a>保存' in html
    assert "劳动纪律按《中华人民共和国劳动合同法》执行" in html  # no URL: text


def test_pdf_links_the_external_document_to_its_url(built):
    reader = pypdf.PdfReader(str(built / "dist" / "manual.pdf"))
    page = next(p for p in reader.pages if "回访记录按" in p.extract_text() and "目 录" not in p.extract_text())
    uris = [str(a.get_object()["/A"].get("/URI")) for a in page.get("/Annots") or []
            if a.get_object().get("/Subtype") == "/Link" and "/A" in a.get_object()]
    assert uris == [URL]
