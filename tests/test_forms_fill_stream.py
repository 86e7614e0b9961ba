"""``manual forms fill`` streams, swaps its folder in whole, and refuses bad CSV files plainly.

- The filled files are written object by object (``FormFiller``, ``MergedWriter``);
  they are compared byte for byte with what pypdf's own writer makes of the
  same edits (the way the command made them before it streamed: ``reference_*``
  below), and read back with pypdf.
- Memory: the Python heap's peak (tracemalloc) of a few hundred rows stays
  where it was after the first rows; holding the files, as before, took
  2.7 MB a row.
- A fill into an existing ``--out`` folder killed (SIGKILL) at any moment
  leaves the folder as it was or with the whole new batch.
- Bad CSV files (NUL, a huge cell, too many rows, a workbook …) end with a
  message at the row and column, exit 1, no traceback and nothing written.
"""
from __future__ import annotations

import hashlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest

from conftest import FIXTURES, MINIMAL, REPO, copy_manual, run_cli
from generator.model.build import read_manual
from generator.publishers.forms.fill import (MAX_CELL, MAX_ROWS, FormFiller, Record, _digest, _fill_annots, _open,
                                             read_values, value_chars, write_batch)
from generator.publishers.forms.font import field_glyphs, value_font
from generator.publishers.forms.pdf import fillable_pdf, root_fields


# -- the reference: pypdf's writer holding the whole file, as the command used it before ----------------
def _write(writer, id1: bytes, id2: bytes) -> bytes:
    from pypdf.generic import ArrayObject, ByteStringObject

    writer._ID = ArrayObject([ByteStringObject(id1), ByteStringObject(id2)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _plain_tooltips(writer) -> None:
    """The widgets' and their fields' tooltips (/TU) as plain bytes, as FormFiller writes them (fill.py)."""
    from pypdf.generic import NameObject

    from generator.publishers.forms.fill import _value_string

    seen = set()
    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            node = ref
            while node is not None and node.idnum not in seen:
                seen.add(node.idnum)
                obj = node.get_object()
                if isinstance(obj.get("/TU"), str):
                    obj[NameObject("/TU")] = _value_string(str(obj["/TU"]))
                node = obj.get("/Parent")


def reference_fill(template: bytes, values: dict) -> bytes:
    writer = _open(template)
    _plain_tooltips(writer)
    font = writer._add_object(value_font(field_glyphs(), value_chars(values), writer._add_object))
    for page in writer.pages:
        _fill_annots(writer, list(page.get("/Annots") or []), values, font)
    return _write(writer, hashlib.md5(template).digest(), _digest(values))


def reference_merge(template: bytes, rows: list[tuple[str, dict]]) -> bytes:
    """Every row's pages and fields copied with pypdf's add_page, then every row filled, then one write."""
    from pypdf import PageObject
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    writer = _open(template)
    acro = writer.root_object["/AcroForm"].get_object()
    top = list(root_fields(acro.get("/Fields", [])))
    first_pages = list(writer.pages)

    def copy_node(ref, parent_ref, page_refs, widgets):
        node = ref.get_object()
        new = DictionaryObject({k: v for k, v in node.items() if k not in ("/Kids", "/Parent", "/P")})
        new_ref = writer._add_object(new)
        new[NameObject("/Parent")] = parent_ref
        if "/P" in node:
            new[NameObject("/P")] = page_refs.get(node.raw_get("/P").idnum, node.raw_get("/P"))
        if "/Kids" in node:
            new[NameObject("/Kids")] = ArrayObject(copy_node(k, new_ref, page_refs, widgets) for k in node["/Kids"])
        widgets[ref.idnum] = new_ref
        return new_ref

    plan, parents = [], ArrayObject()
    for index, (prefix, values) in enumerate(rows):
        parent = DictionaryObject({NameObject("/T"): TextStringObject(prefix), NameObject("/Kids"): ArrayObject()})
        parent_ref = writer._add_object(parent)
        parents.append(parent_ref)
        if index == 0:
            for field in top:
                field.get_object()[NameObject("/Parent")] = parent_ref
                parent["/Kids"].append(field)
            plan.append((values, [list(p.get("/Annots") or []) for p in first_pages]))
            continue
        pages, page_refs = [], {}
        for page in first_pages:
            copy = PageObject(pdf=writer)
            copy.update({k: v for k, v in page.items() if k not in ("/Annots", "/Parent")})
            added = writer.add_page(copy)
            page_refs[page.indirect_reference.idnum] = added.indirect_reference
            pages.append((page, added))
        widgets: dict = {}
        for field in top:
            parent["/Kids"].append(copy_node(field, parent_ref, page_refs, widgets))
        annots_per_page = []
        for page, added in pages:
            annots = ArrayObject(widgets[ref.idnum] for ref in page.get("/Annots") or [])
            added[NameObject("/Annots")] = annots
            annots_per_page.append(list(annots))
        plan.append((values, annots_per_page))
    # one value font for every row, after the rows' objects and before their appearance streams
    chars = set().union(*(value_chars(values) for _, values in rows))
    font = writer._add_object(value_font(field_glyphs(), chars, writer._add_object))
    for values, annots_per_page in plan:
        for annots in annots_per_page:
            _fill_annots(writer, annots, values, font)
    acro[NameObject("/Fields")] = parents
    digest = hashlib.md5(b"".join(_digest(v) for _, v in rows)).digest()
    return _write(writer, digest, digest)


# -- fixtures ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def manual_root(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("stream") / "m")
    shutil.copy2(FIXTURES / "forms" / "all-types.yaml", root / "forms" / "all-types.yaml")
    return root


@pytest.fixture(scope="module")
def templates(manual_root):
    manual, _ = read_manual(manual_root)
    return {fid: fillable_pdf(manual, manual.forms[fid]) for fid in ("visit-record", "all-types")}


ROWS = {  # pdf values as the CSV reader makes them: text, radio state /<index>, check box /on
    "visit-record": [{"customer": "东莞市长安电子厂", "visit_date": "2014-06-03", "method": "/1"}, {"customer": "乙"},
                     {}, {"customer": '广州"新星"科技/分部', "method": "/0", "visit_date": "2014-06-10"}],
    "all-types": [{"customer": "属瑞 <b>电子</b>", "feedback": "第一行\n第二行", "level": "/1", "products_1": "/on",
                   "products_3": "/on", "stock_checked": "/on", "items_1_name": "液晶屏", "amount": "1,234.50"},
                  {"customer": "乙公司", "level": "/0"}, {"amount": "12", "visitor_sign_date": "2020-03-02"}],
}


# -- byte identity -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("form_id", sorted(ROWS))
def test_streamed_files_equal_pypdfs_own_writer(templates, form_id, tmp_path):
    """The batch as the command writes it (one filler, rows interleaved with the merged file) is byte for
    byte what pypdf's writer makes holding each whole file: one page (radio groups) and two pages."""
    template, rows = templates[form_id], ROWS[form_id]
    records = [Record(i + 2, {"customer": v.get("customer", "")}, v) for i, v in enumerate(rows)]
    names = write_batch(tmp_path / "out", form_id, template, iter(records), len(records), "customer",
                        keep_others=False)
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for name, values in zip(names, rows):
        assert (out / name).read_bytes() == reference_fill(template, values), name
    merged = (out / f"{form_id}-all.pdf").read_bytes()
    assert merged == reference_merge(template, [(f"r{i:04d}", v) for i, v in enumerate(rows, start=1)])
    seen = read_values(merged)
    for i, values in enumerate(rows, start=1):
        if "customer" in values:
            assert seen[f"r{i:04d}.customer"] == values["customer"]
    for n in (1, 2):  # a batch of one row and of two is laid out the same way as pypdf's
        part = rows[:n]
        names = write_batch(tmp_path / f"out{n}", form_id, template, iter(records[:n]), n, "customer",
                            keep_others=False)
        assert (tmp_path / f"out{n}" / names[-1]).read_bytes() == reference_merge(
            template, [(f"r{i:04d}", v) for i, v in enumerate(part, start=1)])


def test_one_filler_writes_the_same_file_for_the_same_values(templates):
    filler = FormFiller(templates["visit-record"])
    first, other, again = io.BytesIO(), io.BytesIO(), io.BytesIO()
    filler.fill(first, {"customer": "甲"})
    filler.fill(other, {"customer": "乙", "method": "/1"})
    filler.fill(again, {"customer": "甲"})
    assert first.getvalue() == again.getvalue() != other.getvalue(), "a row leaves nothing behind for the next"
    assert read_values(other.getvalue())["method"] == "上门、电话".split("、")[1]


# -- memory ----------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_memory_does_not_grow_with_the_rows(templates, tmp_path):
    """300 rows: the Python heap's peak after the last row is the peak after the 30th.

    Before streaming, each filled PDF stayed in memory until the end: 300 rows
    held 300 × 2.7 MB = 820 MB (10,000 rows died at 5.9 GB).  The value font is
    parsed once per process, before the batch (a constant, not a row's share).
    """
    template = templates["visit-record"]
    rows, marks = 300, {}

    def records():
        for i in range(rows):
            if i in (30, rows - 1):
                marks[i] = tracemalloc.get_traced_memory()[1]
            yield Record(i + 2, {"customer": f"客户{i}"},
                         {"customer": f"东莞市第{i}电子有限公司", "visit_date": "2014-06-03", "method": "/1"})

    field_glyphs()
    # What a first batch sets up once per process (the value font, parsers' and caches' first use) is not a row's
    # share: set up here, so the peak measured does not depend on which tests this worker ran before.
    warm = (Record(i + 2, {"customer": f"客户{i}"}, {"customer": f"预热{i}", "visit_date": "2014-06-03", "method": "/1"})
            for i in range(2))
    write_batch(tmp_path / "warm", "visit-record", template, warm, 2, "customer", keep_others=False)
    tracemalloc.start()
    try:
        write_batch(tmp_path / "out", "visit-record", template, records(), rows, "customer", keep_others=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(list((tmp_path / "out").iterdir())) == rows + 1
    one_file = len(template)
    assert peak < 40 * one_file, f"peak {peak / 1e6:.0f} MB"  # the old code: more than 300 files' worth
    assert peak - marks[30] < one_file, f"the heap grew by {(peak - marks[30]) / 1e6:.1f} MB over 270 rows"
    from pypdf import PdfReader

    merged = PdfReader(tmp_path / "out" / "visit-record-all.pdf")
    assert len(merged.pages) == rows
    assert read_values((tmp_path / "out" / "0300-客户299.pdf").read_bytes())["customer"] == "东莞市第299电子有限公司"


# -- all or nothing under a kill ------------------------------------------------------------------------------------
def _state(folder) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()} if folder.exists() else {"<missing>": ""}


@pytest.mark.slow
def test_a_killed_fill_into_an_existing_folder_leaves_it_old_or_new(manual_root, tmp_path):
    data = tmp_path / "rows.csv"
    data.write_text("customer,visit_date\n" + "".join(f"客户{i},2020-01-{i % 28 + 1:02d}\n" for i in range(40)),
                    encoding="utf-8")
    old = tmp_path / "old"
    old.mkdir()
    (old / "0001-客户0.pdf").write_bytes(b"an earlier batch")
    (old / "notes.txt").write_text("mine", encoding="utf-8")
    (old / "sub").mkdir()
    (old / "sub" / "keep.txt").write_text("also mine", encoding="utf-8")
    old_state = _state(old)
    full = tmp_path / "full"
    shutil.copytree(old, full)
    done = run_cli("forms", "fill", "visit-record", "--data", data, "--out", full, "--root", manual_root)
    assert done.returncode == 0, done.stderr
    new_state = _state(full)
    assert new_state["notes.txt"] == old_state["notes.txt"] and new_state["sub/keep.txt"] == old_state["sub/keep.txt"]
    assert new_state["0001-客户0.pdf"] != old_state["0001-客户0.pdf"] and len(new_state) == len(old_state) + 40
    outcomes = []
    rng = random.Random(22)
    for trial in range(5):
        out = tmp_path / f"out{trial}"
        shutil.copytree(old, out)
        env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
        proc = subprocess.Popen([sys.executable, "-m", "generator", "forms", "fill", "visit-record", "--data",
                                 str(data), "--out", str(out), "--root", str(manual_root)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while (not [p for p in tmp_path.iterdir() if p.name.startswith(".") and f"out{trial}." in p.name]
               and proc.poll() is None and time.monotonic() < deadline):
            time.sleep(0.01)  # until the new folder is being written beside the old one
        time.sleep(rng.uniform(0, 1.5) if trial else 0)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        state = _state(out)
        assert state in (old_state, new_state), f"trial {trial}: neither the old folder nor the new one"
        outcomes.append("new" if state == new_state else "old")
    assert "old" in outcomes, outcomes  # the kill came during the fill at least once


# -- bad CSV files ------------------------------------------------------------------------------------------------------
def _refused(root, tmp_path, data: bytes, *, lang="zh-CN", code=1) -> str:
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    out = tmp_path / "out"
    result = run_cli("forms", "fill", "visit-record", "--data", path, "--out", out, "--root", root, "--lang", lang)
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr and "内部错误" not in result.stderr
    assert not out.exists(), "nothing is written"
    return result.stderr


def test_a_nul_byte_is_refused_at_its_row_and_column(manual_root, tmp_path):
    err = _refused(manual_root, tmp_path, "customer,visit_date\n甲,2020-01-01\n乙\x00公司,2020-01-02\n".encode())
    assert "bad.csv:3: 第 3 行，列 'customer'" in err and "NUL" in err
    err = _refused(manual_root, tmp_path, "customer,visit_date\n甲,2020-01-01\n乙,2020\x00-01-02\n".encode(),
                   lang="en")
    assert "bad.csv:3: row 3, column 'visit_date': character 5 of the cell is a NUL character" in err
    err = _refused(manual_root, tmp_path, b"customer,visit\x00_date\n\xe7\x94\xb2,2020-01-01\n", lang="en")
    assert "row 1, column 2: character 6 is a NUL character" in err


def test_an_oversized_cell_is_refused_at_its_row_and_column(manual_root, tmp_path):
    huge = "长" * 200_000  # beyond the csv module's own limit of 131,072 characters
    err = _refused(manual_root, tmp_path, f"customer,visit_date\n甲,2020-01-01\n{huge},2020-01-02\n".encode())
    assert "bad.csv:3: 第 3 行，列 'customer'" in err and "200000" in err and f"{MAX_CELL}" in err
    assert len(err) < 2000, "the message does not quote the cell"
    long = "x" * (MAX_CELL + 1)
    err = _refused(manual_root, tmp_path, f"customer,visit_date\n{long},2020-01-01\n".encode(), lang="en")
    assert f"bad.csv:2: row 2, column 'customer': the cell holds {MAX_CELL + 1} characters" in err
    err = _refused(manual_root, tmp_path, f'customer,visit_date\n甲,"2020-01-01\n{huge}\n'.encode(), lang="en")
    assert "row 2, column 'visit_date'" in err, "an unclosed quote runs to the end: reported where it starts"


def test_absurd_sizes_and_row_counts_are_refused(manual_root, tmp_path):
    rows = "customer\n" + "甲\n" * (MAX_ROWS + 1)
    err = _refused(manual_root, tmp_path, rows.encode(), lang="en")
    assert f"row {MAX_ROWS + 2}: more than {MAX_ROWS:,} data rows" in err
    big = b"customer\n" + (b"x" * 99 + b"\n") * (21 * 1024 * 1024 // 100)
    err = _refused(manual_root, tmp_path, big, lang="en")
    assert "the file is 21.0 MB, more than the limit of 20.0 MB" in err


@pytest.mark.parametrize("case, data, expected", [
    ("empty file", b"", "the file is empty"),
    ("only a BOM", b"\xef\xbb\xbf", "the file is empty"),
    ("only blank lines", b"\r\n\r\n,,\r\n", "the file is empty"),
    ("header only", "customer,visit_date\r\n".encode("gbk"), "no data rows below the header"),
    ("a row too long", "customer,visit_date\n甲,2020-01-01,多余\n".encode(), "row 2, column '#3': the row has 3 values"),
    ("an Excel workbook", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "this is an Excel workbook"),
    ("an old Excel file", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), "this is an Excel workbook"),
    ("UTF-16", "customer\n甲\n".encode("utf-16"), "the file is UTF-16"),
    ("broken UTF-8 after a BOM", b"\xef\xbb\xbfcustomer\n\xe7\x94\n", "neither UTF-8 nor GBK"),
    ("binary", bytes(range(128, 256)) * 8, "neither UTF-8 nor GBK"),
])
def test_careless_csv_files_end_with_a_message(manual_root, tmp_path, case, data, expected):
    err = _refused(manual_root, tmp_path, data, lang="en")
    assert expected in err, (case, err)


def test_short_rows_gbk_and_a_bom_fill(manual_root, tmp_path):
    """Ragged rows that are short leave the missing cells empty; GBK and a BOM are read."""
    for encoding in ("gbk", "utf-8-sig"):
        data = tmp_path / f"{encoding}.csv"
        data.write_bytes("customer,visit_date,method\r\n甲,2020-01-01,上门\r\n乙,2020-01-02\r\n".encode(encoding))
        out = tmp_path / encoding
        result = run_cli("forms", "fill", "visit-record", "--data", data, "--out", out, "--root", manual_root)
        assert result.returncode == 0, result.stderr
        assert read_values((out / "0001-甲.pdf").read_bytes())["method"] == "上门"
        second = read_values((out / "0002-乙.pdf").read_bytes())
        assert (second["visit_date"], second["method"]) == ("2020-01-02", "")


def test_out_must_be_a_folder(manual_root, tmp_path):
    data = tmp_path / "ok.csv"
    data.write_text("customer\n甲\n", encoding="utf-8")
    target = tmp_path / "a-file.pdf"
    target.write_bytes(b"keep me")
    result = run_cli("forms", "fill", "visit-record", "--data", data, "--out", target, "--root", manual_root,
                     "--lang", "en")
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    assert target.read_bytes() == b"keep me"


def test_the_shipped_form_fills_the_same_as_before(tmp_path):
    """The shipped customer visit record through the command: every file equals pypdf's own writer's."""
    root = copy_manual(REPO, tmp_path / "shipped")
    data = tmp_path / "visits.csv"
    data.write_text("customer,contact,visit_date\n东莞市长安电子厂,张经理,2014-06-03\n深圳华强贸易公司,李小姐,2014/6/5\n",
                    encoding="utf-8")
    result = run_cli("forms", "fill", "customer-visit-record", "--data", data, "--root", root)
    assert result.returncode == 0, result.stderr
    manual, _ = read_manual(root)
    template = fillable_pdf(manual, manual.forms["customer-visit-record"])
    out = root / "dist" / "forms" / "filled" / "customer-visit-record"
    rows = [{"customer": "东莞市长安电子厂", "contact": "张经理", "visit_date": "2014-06-03"},
            {"customer": "深圳华强贸易公司", "contact": "李小姐", "visit_date": "2014-06-05"}]
    assert (out / "0001-东莞市长安电子厂.pdf").read_bytes() == reference_fill(template, rows[0])
    assert (out / "0002-深圳华强贸易公司.pdf").read_bytes() == reference_fill(template, rows[1])
    assert (out / "customer-visit-record-all.pdf").read_bytes() == reference_merge(
        template, [("r0001", rows[0]), ("r0002", rows[1])])
