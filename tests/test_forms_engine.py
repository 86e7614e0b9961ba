"""The fillable PDF's engine: size, fonts that render, fit, buttons, Required, tab order.

Every claim is checked by rendering with two independent engines, poppler
(``pdftoppm``) and pdfium (``pypdfium2``), and counting dark pixels inside the
field's box.  "Glyphs, not boxes": a string of a dense character (酬) must
leave far more ink than the same number of a sparse one (一); a missing glyph
draws the same empty box for both.  Poppler needs its Adobe-GB1 language pack
(``poppler-data``) to substitute a font for STSong-Light.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual, run_cli
from generator.model import formspec
from generator.model.build import read_manual
from generator.publishers.forms.fill import MIN_SIZE, NO_LINE_END, NO_LINE_START, fill_pdf, read_values, wrap
from generator.publishers.forms.font import field_glyphs
from generator.publishers.forms.pdf import fillable_pdf

DPI = 100
DENSE, SPARSE = "酬" * 6, "一" * 6


@pytest.fixture(scope="module")
def manual_root(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("engine") / "m")
    shutil.copy2(FIXTURES / "forms" / "all-types.yaml", root / "forms" / "all-types.yaml")
    return root


@pytest.fixture(scope="module")
def templates(manual_root):
    manual, _ = read_manual(manual_root)
    return {fid: fillable_pdf(manual, manual.forms[fid]) for fid in ("visit-record", "all-types")}, manual


# -- rendering ------------------------------------------------------------------------------------
def poppler(pdf: bytes, tmp_path: Path):
    from PIL import Image

    assert Path("/usr/share/poppler/cMap/Adobe-GB1").is_dir(), "install poppler-data (scripts/setup.sh --test)"
    src = tmp_path / "in.pdf"
    src.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-png", "-singlefile", str(src),
                    str(tmp_path / "poppler")], check=True, capture_output=True, timeout=120)
    return Image.open(tmp_path / "poppler.png").convert("L")


def pdfium(pdf: bytes, tmp_path: Path, *, forms: bool = True):
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    if forms:
        doc.init_forms()
    image = doc[0].render(scale=DPI / 72, may_draw_forms=forms).to_pil().convert("L")
    image.save(tmp_path / "pdfium.png")
    return image


ENGINES = {"poppler": poppler, "pdfium": pdfium}


def widgets(pdf: bytes) -> dict:
    """Field name → the first widget's /Rect (points), on the first page."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(pdf)).pages[0]
    out = {}
    for ref in page["/Annots"]:
        annot = ref.get_object()
        node = annot if annot.get("/T") is not None else annot["/Parent"].get_object()
        out.setdefault(str(node["/T"]), [float(v) for v in annot["/Rect"]])
    return out, float(page.mediabox.height)


def ink(image, rect, height: float, inset: float = 1.5) -> int:
    """Dark pixels inside ``rect`` (points, PDF coordinates), ``inset`` points in from its edges."""
    x1, y1, x2, y2 = min(rect[0], rect[2]), min(rect[1], rect[3]), max(rect[0], rect[2]), max(rect[1], rect[3])
    s = DPI / 72
    box = (round((x1 + inset) * s), round((height - y2 + inset) * s), round((x2 - inset) * s),
           round((height - y1 - inset) * s))
    return sum(image.crop(box).histogram()[:128])


def typed_afterwards(template: bytes, values: dict) -> bytes:
    """Values set with pypdf as another program would: /V only, no appearance stream, NeedAppearances."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(template)))
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            name = str(annot.get("/T", ""))
            if name in values:
                annot[NameObject("/V")] = TextStringObject(values[name])
                if "/AP" in annot:
                    del annot["/AP"]
    writer.set_need_appearances_writer(True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- size ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_shipped_forms_blank_and_filled_are_at_most_400_kb():
    """Each shipped form, blank and with every text field filled with long Chinese text."""
    manual, _ = read_manual(REPO)
    text = "东莞市属瑞电子有限公司按《质量异议处理规定》换货，客户反映包装破损、显示器偏色；" * 3
    over = []
    for form in manual.forms.values():
        blank = fillable_pdf(manual, form)
        # every field filled: long text in the form's own fields, a register's cells as a register's rows hold
        values = {pf.name: ("东莞市属瑞电子有限公司" if pf.kind == "table_cell" else text)
                  for pf in formspec.pdf_fields(form) if pf.ft == "/Tx"}
        filled = fill_pdf(blank, values)
        print(f"{form.id}: blank {len(blank) / 1000:.0f} KB, filled {len(filled) / 1000:.0f} KB")
        assert len(blank) <= 400_000, (form.id, len(blank))
        if len(filled) > 400_000:
            over.append((form.id, len(filled)))
        name = next(n for n, v in values.items() if v == text)
        assert read_values(filled)[name] == text, "the value goes in whole"
    # every form, the registers with every cell filled included (about 440 bytes a filled cell: /V, the
    # appearance stream and its dictionary; the registers' rows are those their one sheet holds)
    assert not over, over


# -- Chinese renders: blank, filled by us, typed afterwards ---------------------------------------------------
@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_blank_fields_are_empty(templates, engine, tmp_path):
    pdf = templates[0]["visit-record"]
    rects, height = widgets(pdf)
    image = ENGINES[engine](pdf, tmp_path)
    assert ink(image, rects["customer"], height) == 0
    assert ink(image, rects["feedback"], height) == 0


@pytest.mark.parametrize("engine", sorted(ENGINES))
@pytest.mark.parametrize("how", ["filled", "typed"])
def test_chinese_values_render_as_glyphs(templates, engine, how, tmp_path):
    """Filled by us (our appearance streams, subset font) and typed afterwards (the viewer draws
    with the STSong-Light it substitutes): glyphs, not boxes, in both engines."""
    template = templates[0]["visit-record"]
    rects, height = widgets(template)
    make = fill_pdf if how == "filled" else typed_afterwards
    counts = {}
    for text in (DENSE, SPARSE):
        pdf = make(template, {"customer": text, "feedback": text})
        image = ENGINES[engine](pdf, tmp_path)
        image.save(tmp_path / f"{engine}-{how}-{text[0]}.png")
        counts[text] = (ink(image, rects["customer"], height), ink(image, rects["feedback"], height))
    for i, field in enumerate(("customer", "feedback")):
        dense, sparse = counts[DENSE][i], counts[SPARSE][i]
        assert sparse > 20, f"{field}: no ink at all ({engine}, {how})"
        assert dense > 2 * sparse, f"{field}: 酬 {dense} px vs 一 {sparse} px: boxes, not glyphs ({engine}, {how})"


@pytest.mark.parametrize("engine", sorted(ENGINES))
def test_pdfium_and_poppler_show_check_boxes_and_radios(templates, engine, tmp_path):
    template = templates[0]["all-types"]
    rects, height = widgets(template)
    blank = ENGINES[engine](template, tmp_path)
    filled = ENGINES[engine](fill_pdf(template, {"stock_checked": "/on", "level": "/0"}), tmp_path)
    for name in ("stock_checked", "level"):
        before, after = ink(blank, rects[name], height, inset=1.8), ink(filled, rects[name], height, inset=1.8)
        assert after > before + 5, f"{name}: {before} px blank, {after} px ticked ({engine})"


# -- fit ------------------------------------------------------------------------------------------------------
def test_wrap_follows_chinese_line_breaking():
    glyphs = field_glyphs()
    text = "客户反映：包装破损，按《质量异议处理规定》换货。另外，希望下次送货前电话通知（仓库周末不收货）。" * 3
    for width in range(40, 200, 7):
        lines = wrap(glyphs, text, 10, width)
        assert "".join(lines) == text, "nothing lost"
        for line in lines[1:]:
            assert line[0] not in NO_LINE_START, (width, line)
        for line in lines[:-1]:
            assert line[-1] not in NO_LINE_END, (width, line)
            assert glyphs.width(line, 10) <= width + 0.01


def test_long_values_shrink_wrap_and_warn_at_row_and_column(manual_root, tmp_path):
    from pypdf import PdfReader

    long_name = "按《质量异议处理规定》换货"
    too_long = "东莞市属瑞电子有限公司" * 8
    data = tmp_path / "v.csv"
    data.write_text("customer,visit_date,feedback\n"
                    f"{long_name},2024-05-20,\"{'客户反映：包装破损，按《质量异议处理规定》换货。' * 3}\"\n"
                    f"{too_long},2024-05-21,好\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("forms", "fill", "visit-record", "--data", data, "--out", out, "--root", manual_root)
    assert result.returncode == 0, result.stderr
    assert "v.csv:3: 警告：第 3 行，列 'customer'" in result.stderr, result.stderr
    assert "v.csv:2:" not in result.stderr, "the row that fits once shrunk does not warn"
    first = (out / "0001-按《质量异议处理规定》换货.pdf").read_bytes()
    third = next(p for p in out.iterdir() if p.name.startswith("0002-")).read_bytes()
    assert read_values(third)["customer"] == too_long, "the value goes in whole"
    annots = {str(a.get_object().get("/T")): a.get_object() for a in PdfReader(io.BytesIO(first)).pages[0]["/Annots"]}
    stream = annots["customer"]["/AP"]["/N"].get_object().get_data().decode("latin-1")
    size = float(stream.split(" Tf")[0].split()[-1])
    assert MIN_SIZE <= size <= 10, size
    feedback = annots["feedback"]["/AP"]["/N"].get_object().get_data()
    assert feedback.count(b"T*") >= 1, "the multiline value wraps"
    english = run_cli("forms", "fill", "visit-record", "--data", data, "--out", tmp_path / "en", "--root", manual_root,
                      "--lang", "en")
    assert "v.csv:3: warning: row 3, column 'customer'" in english.stderr, english.stderr


# -- Required, tab order ---------------------------------------------------------------------------------------
def test_required_flags_and_tab_order(templates):
    from pypdf import PdfReader

    pdfs, manual = templates
    for form_id, pdf in pdfs.items():
        fields = formspec.pdf_fields(manual.forms[form_id])
        required = {pf.name for pf in fields if pf.required}
        assert required, form_id
        reader = PdfReader(io.BytesIO(pdf))
        seen = {}
        order = []
        for page in reader.pages:
            assert page["/Tabs"] == "/S"
            for ref in page["/Annots"]:
                annot = ref.get_object()
                node = annot if annot.get("/T") is not None else annot["/Parent"].get_object()
                name = str(node["/T"])
                seen[name] = int(node.get("/Ff", 0)) & 2
                if not order or order[-1] != name:
                    order.append(name)
        for name, flag in seen.items():
            assert bool(flag) == (name in required), name
        rank = [pf.name for pf in fields]
        assert order == sorted(order, key=rank.index), "widgets in reading order"
        need = reader.trailer["/Root"]["/AcroForm"].get("/NeedAppearances")
        assert need is None or need.value is False, "viewers show our appearances, not their own"


BIG_REGISTER = """id: big-register
code: 0101-F2
title: 投诉登记台账
version: "1.0"
status: effective
paper: A4
fields:
  - id: rows
    label: 投诉
    type: table
    rows: 30
    columns: [序号, 接收日期, 客户名称, 产品及批号, 不合格描述, 责任人, 关闭日期]
signoff:
  prepared: {name: 张三, role: 业务员, date: 2020-02-01}
  reviewed: {name: 李四, role: 业务经理, date: 2020-02-10}
  approved: {name: 王五, role: 总经理, date: 2020-02-20}
revisions:
  - {version: "1.0", date: 2020-02-01, summary: 首次发布, by: 业务部}
"""


@pytest.mark.slow
def test_a_filled_record_over_400_kb_warns_with_the_form_and_its_size(tmp_path):
    """Every cell of a 30-row register filled with six different Chinese characters (about 1,300
    distinct glyphs): the file stays within 400 KB, or ``forms fill`` says which form's file is how big."""
    import random

    root = copy_manual(MINIMAL, tmp_path / "m")
    (root / "forms" / "big-register.yaml").write_text(BIG_REGISTER, encoding="utf-8")
    pool = [chr(c) for c in range(0x4E00, 0x9FA5)]
    rng = random.Random(17)
    header = [f"rows_{r}_{c}" for r in range(1, 31) for c in range(1, 8)]
    data = tmp_path / "reg.csv"
    data.write_text(",".join(header) + "\n" + ",".join("".join(rng.sample(pool, 6)) for _ in header) + "\n",
                    encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("forms", "fill", "big-register", "--data", data, "--out", out, "--root", root, "--lang", "en")
    assert result.returncode == 0, result.stderr
    record = next(p for p in out.iterdir() if p.name.startswith("0001"))
    size = record.stat().st_size
    said = f"reg.csv:2: warning: row 2: the filled form big-register ({record.name}) is {size / 1000:.0f} KB, over 400 KB"
    if size > 400_000:
        assert said in result.stderr, (size, result.stderr)
    else:
        assert "400 KB" not in result.stderr, result.stderr
    assert read_values(record.read_bytes())["rows_30_7"] == data.read_text(encoding="utf-8").split(",")[-1].strip()


LONG_LABELS = """id: long-labels
code: 0101-F3
title: Long Labels
version: "1.0"
status: effective
paper: A4
fields:
  - {id: f1, label: Counterfeit-suspected batch characteristics, type: text, required: true, width: 2}
  - {id: f2, label: 疑似假冒批次的特征与追溯信息, type: text, width: 2}
  - {id: f3, label: Internationalization, type: text, required: true, width: 2}
  - {id: f4, label: Electromagnetic compatibility, type: text, width: 2}
signoff:
  prepared: {name: 张三, role: 业务员, date: 2020-02-01}
  reviewed: {name: 李四, role: 业务经理, date: 2020-02-10}
  approved: {name: 王五, role: 总经理, date: 2020-02-20}
revisions:
  - {version: "1.0", date: 2020-02-01, summary: 首次发布, by: 业务部}
"""


def test_long_labels_of_wide_fields_widen_the_label_column_in_the_pdf(tmp_path):
    """Every field two units wide: the PDF's label column takes room from the wide value cells (up to 80%
    of a pair), so a long English word is set at 8 pt or more, whole, not at 5.9 pt (issue #17, review 8)."""
    import pdfplumber

    root = copy_manual(MINIMAL, tmp_path / "m")
    (root / "forms" / "long-labels.yaml").write_text(LONG_LABELS, encoding="utf-8")
    manual, _ = read_manual(root)
    pdf = tmp_path / "f.pdf"
    pdf.write_bytes(fillable_pdf(manual, manual.forms["long-labels"]))
    with pdfplumber.open(pdf) as doc:
        words = doc.pages[0].extract_words(extra_attrs=["size"])
    sizes = {w["text"].rstrip("*"): w["size"] for w in words}
    for word in ("Internationalization", "Counterfeit-suspected", "Electromagnetic", "characteristics"):
        assert word in sizes, (word, sorted(sizes))
        assert sizes[word] >= 8.0, (word, sizes[word])
