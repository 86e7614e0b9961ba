"""The org chart and workflow SVGs: drawn from the data, escaped, deterministic."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import yaml

from generator.publishers.render.diagrams import orgchart_svg, text_width, workflow_svg, wrap
from generator.model import WorkflowStep
from generator.model.build import read_manual

from conftest import MINIMAL, copy_manual

SVG = "{http://www.w3.org/2000/svg}"


def _manual(root):
    manual, findings = read_manual(root)
    assert not [f for f in findings if f.severity == "error"], findings
    return manual


def _boxes(svg: str) -> dict[str, ET.Element]:
    tree = ET.fromstring(svg)
    return {g.get("data-role"): g for g in tree.iter(f"{SVG}g") if g.get("data-role")}


def _texts(el) -> list[str]:
    return [t.text for t in el.iter(f"{SVG}text")]


@pytest.fixture
def manual(tmp_path):
    return _manual(copy_manual(MINIMAL, tmp_path / "m"))


def test_orgchart_draws_every_role_with_headcount(manual):
    svg = orgchart_svg(manual)
    boxes = _boxes(svg)
    assert set(boxes) == {"总经理", "业务经理", "业务员"}
    assert _texts(boxes["业务经理"]) == ["业务经理", "1 人"]
    assert _texts(boxes["业务员"]) == ["业务员", "2 人"]
    # The external 总经理 is drawn distinctly (class, dashed border) and without a headcount.
    assert "external" in boxes["总经理"].get("class")
    assert boxes["总经理"].find(f"{SVG}rect").get("stroke-dasharray")
    assert _texts(boxes["总经理"]) == ["总经理"]
    assert "head" in boxes["业务经理"].get("class")


def test_orgchart_layout_follows_reporting_lines(manual):
    boxes = _boxes(orgchart_svg(manual))
    y = {rid: float(g.find(f"{SVG}rect").get("y")) for rid, g in boxes.items()}
    assert y["总经理"] < y["业务经理"] < y["业务员"]


def test_orgchart_uses_cjk_fonts_and_no_script(manual):
    svg = orgchart_svg(manual)
    root = ET.fromstring(svg)
    assert "Noto Sans CJK SC" in root.get("font-family")
    assert "WenQuanYi Micro Hei" in root.get("font-family")
    assert "<script" not in svg and "href" not in svg
    assert orgchart_svg(manual) == svg  # deterministic


def test_orgchart_escapes_role_names_and_sizes_boxes_by_text(tmp_path):
    root = copy_manual(MINIMAL, tmp_path / "m")
    roles = yaml.safe_load((root / "manual/roles.yaml").read_text(encoding="utf-8"))
    roles["roles"].append({"id": '业务<script>alert("x")</script>&助理', "reports_to": "业务经理", "headcount": 3})
    (root / "manual/roles.yaml").write_text(yaml.safe_dump(roles, allow_unicode=True), encoding="utf-8")
    manual = _manual(root)
    svg = orgchart_svg(manual)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    boxes = _boxes(svg)  # parses: the escaping produced well-formed XML
    odd = boxes['业务<script>alert("x")</script>&助理']
    assert _texts(odd)[0] == '业务<script>alert("x")</script>&助理'
    w_long = float(odd.find(f"{SVG}rect").get("width"))
    w_short = float(boxes["业务员"].find(f"{SVG}rect").get("width"))
    assert w_long > w_short + 200


def _with_workflow(manual, steps):
    doc = manual.documents[0]
    doc.workflow = [WorkflowStep(i, s.get("id", ""), s["title"], s["role"], forms=s.get("forms", []))
                    for i, s in enumerate(steps)]
    return doc


def _lanes(root) -> dict[str, ET.Element]:
    return {g.get("data-role"): g for g in root.iter(f"{SVG}g") if g.get("class") == "lane"}


def test_workflow_is_a_swimlane_chart_by_role(manual):
    doc = _with_workflow(manual, [
        {"title": "接收询价", "role": "业务员", "forms": ["visit-record"]},
        {"title": "审批报价", "role": "业务经理"},
        {"title": "签订合同", "role": "总经理"},
        {"title": "回访客户", "role": "业务员"},
    ])
    svg = workflow_svg(manual, doc)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.find(f"{SVG}title").text.endswith(doc.title)
    # One lane per role, in the order the roles first act, each headed by its role.
    lanes = _lanes(root)
    assert list(lanes) == ["业务员", "业务经理", "总经理"]
    assert [_texts(g) for g in lanes.values()] == [["业务员"], ["业务经理"], ["总经理"]]
    lane_x = {r: (float(g.find(f"{SVG}rect").get("x")), float(g.find(f"{SVG}rect").get("width")))
              for r, g in lanes.items()}
    # Each step in its role's lane, top to bottom in order, its forms noted on it.
    steps = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert [_texts(g)[0] for g in steps] == ["1. 接收询价", "2. 审批报价", "3. 签订合同", "4. 回访客户"]
    assert _texts(steps[0])[1:] == ["《客户回访记录表》"]
    for g in steps:
        rect = g.find(f"{SVG}rect")
        x0, w = lane_x[g.get("data-role")]
        assert x0 <= float(rect.get("x")) and float(rect.get("x")) + float(rect.get("width")) <= x0 + w
    assert [g.get("data-role") for g in steps] == ["业务员", "业务经理", "总经理", "业务员"]
    ys = [float(g.find(f"{SVG}rect").get("y")) for g in steps]
    assert ys == sorted(ys) and len(set(ys)) == 4
    # An arrow from each step to the next, ending on the next step's top edge.
    arrowheads = [p for p in root.iter(f"{SVG}path") if p.get("d", "").endswith("Z")]
    assert len(arrowheads) == 3
    tips = [float(p.get("d").split("L")[1].split()[1]) for p in arrowheads]
    assert tips == ys[1:]
    assert workflow_svg(manual, doc) == svg


def test_workflow_text_is_never_smaller_than_9pt_at_print_size(manual):
    # The print edition places the chart at its natural size (1 px = 1/96 in): 12 px = 9 pt.
    doc = _with_workflow(manual, [{"title": f"步骤{i}", "role": r} for i, r in
                                  enumerate(["业务员", "业务经理", "总经理", "业务员", "业务经理"])])
    root = ET.fromstring(workflow_svg(manual, doc))
    default = float(root.get("font-size"))
    sizes = [float(t.get("font-size", default)) for t in root.iter(f"{SVG}text")]
    assert min(sizes) * 0.75 >= 9
    assert float(root.get("width")) <= 643  # 170 mm: between the A4 margins, not scaled down
    org = ET.fromstring(orgchart_svg(manual))
    assert min(float(t.get("font-size", org.get("font-size"))) for t in org.iter(f"{SVG}text")) * 0.75 >= 9


def test_workflow_escapes_and_wraps_long_text(manual):
    long_title = "签订合同并下单到生产部门，跟进交期和发货的全部过程直至客户确认收货为止" * 2
    doc = _with_workflow(manual, [{"title": "<b>报价</b> & 审批", "role": "业务经理"},
                                  {"title": long_title, "role": "业务员"}])
    svg = workflow_svg(manual, doc)
    assert "<b>" not in svg and "&lt;b&gt;报价&lt;/b&gt; &amp; 审批" in svg
    root = ET.fromstring(svg)
    steps = [g for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    title_lines = [t.text for t in steps[1].iter(f"{SVG}text") if t.get("font-weight") == "bold"]
    assert len(title_lines) >= 3
    assert "".join(title_lines) == "2. " + long_title
    assert min(len(t) for t in title_lines) >= 2  # balanced lines: never one character alone
    width = float(root.get("width"))
    assert all(text_width(t) < width for t in title_lines)


def test_text_width_counts_cjk_as_one_em():
    assert text_width("业务经理", 10) == 40
    assert text_width("0110-2014", 10) < 90
    assert wrap("一二三四五", 30, 10) == ["一二三", "四五"]


def test_a_long_workflow_is_cut_into_parts_laid_out_for_the_text_width(manual):
    """Review of #17: a chart is laid out for the text width a binding gutter leaves (never wider, so
    never scaled down) and a long one is cut between steps into parts no taller than asked, every part
    with all the lanes, the steps numbered on from part to part."""
    from generator.publishers.pdf.html import CHART_MAX_HEIGHT, chart_width
    from generator.publishers.render.diagrams import workflow_svgs

    roles = ["业务员", "业务经理", "总经理"]
    doc = _with_workflow(manual, [{"title": f"核对客户技术规格书与质量协议第{i}项", "role": roles[i % 3]}
                                  for i in range(18)])
    width = chart_width(10)
    assert width < chart_width(0) <= 643
    parts = workflow_svgs(manual, doc, print_width=width, max_height=CHART_MAX_HEIGHT)
    assert len(parts) >= 2
    numbers = []
    for svg in parts:
        root = ET.fromstring(svg)
        assert float(root.get("width")) <= width and float(root.get("height")) <= CHART_MAX_HEIGHT
        assert list(_lanes(root)) == roles
        numbers += [int(_texts(g)[0].split(".")[0]) for g in root.iter(f"{SVG}g") if g.get("class") == "step"]
    assert numbers == list(range(1, 19))
    assert workflow_svgs(manual, doc) == [workflow_svg(manual, doc)]  # the site's: one chart


def test_english_lanes_name_roles_in_english(manual):
    doc = _with_workflow(manual, [{"title": "Receive", "role": "业务员"}, {"title": "Approve", "role": "总经理"}])
    manual.roles["业务员"].en = "Sales Representative"
    lanes = _lanes(ET.fromstring(workflow_svg(manual, doc, "en")))
    assert [_texts(g) for g in lanes.values()] == [["Sales Representative"], ["总经理"]]
