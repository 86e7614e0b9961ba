"""``manual forms fill FORM --data FILE.csv``: pre-filled PDFs in batches.

Runs the real command (WeasyPrint renders the template, pypdf fills it) and
reads the PDFs back with pypdf.  CSV problems are checked through the CLI
too: the message names the row and the column, the exit code is 1, and
nothing is written.
"""
from __future__ import annotations

import shutil
from collections import Counter

import pytest

from conftest import FIXTURES, MINIMAL, copy_manual, run_cli
from generator.publishers.forms.fill import (CsvProblem, check_rows, decode, read_csv, read_values, row_file_name,
                                             safe_name)
from generator.model.build import read_manual

VISITS = [  # this month's visit records, pre-filled with customer, contact and date (as in issue 6)
    {"customer": "东莞市长安电子厂", "contact": "张经理", "visit_date": "2014-06-03"},
    {"customer": "深圳华强贸易公司", "contact": "李小姐", "visit_date": "2014/6/5"},
    {"customer": '广州"新星"科技/分部', "contact": "王先生", "visit_date": "2014-06-10"},
]


def _csv(rows: list[dict], columns: list[str]) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    return buf.getvalue()


@pytest.fixture(scope="module")
def shipped_fill(tmp_path_factory):
    """The shipped visit record filled from a 3-row CSV saved by Excel in China (GBK)."""
    from conftest import REPO

    base = tmp_path_factory.mktemp("fill")
    root = copy_manual(REPO, base / "shipped")
    data = base / "visits.csv"
    data.write_bytes(_csv(VISITS, ["customer", "contact", "visit_date"]).encode("gbk"))
    result = run_cli("forms", "fill", "customer-visit-record", "--data", data, "--root", root)
    return {"root": root, "result": result, "out": root / "dist" / "forms" / "filled" / "customer-visit-record"}


@pytest.fixture(scope="module")
def all_types(tmp_path_factory):
    root = copy_manual(MINIMAL, tmp_path_factory.mktemp("types") / "m")
    shutil.copy2(FIXTURES / "forms" / "all-types.yaml", root / "forms" / "all-types.yaml")
    return root


@pytest.mark.slow
def test_three_rows_give_three_filled_pdfs_and_a_merged_one(shipped_fill):
    result = shipped_fill["result"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = shipped_fill["out"]
    names = sorted(p.name for p in out.iterdir())
    assert names == ["0001-东莞市长安电子厂.pdf", "0002-深圳华强贸易公司.pdf", "0003-广州_新星_科技_分部.pdf",
                     "customer-visit-record-all.pdf"]
    for i, (name, row) in enumerate(zip(names, VISITS), start=1):
        values = read_values((out / name).read_bytes())
        assert values["customer"] == row["customer"]
        assert values["contact"] == row["contact"]
        assert values["visit_date"] == f"2014-06-{row['visit_date'][-2:].lstrip('/').zfill(2)}"
        assert values["feedback"] == "" and values["method"] == ""
    merged = read_values((out / "customer-visit-record-all.pdf").read_bytes())
    for i, row in enumerate(VISITS, start=1):
        assert merged[f"r{i:04d}.customer"] == row["customer"]
        assert merged[f"r{i:04d}.contact"] == row["contact"]
    from pypdf import PdfReader

    reader = PdfReader(out / "customer-visit-record-all.pdf")
    assert len(reader.pages) == 3
    # every widget's fully qualified name is unique across the merged rows
    full_names = []
    for page in reader.pages:
        for ref in page["/Annots"]:
            node, parts = ref.get_object(), []
            while node is not None:
                if node.get("/T") is not None:
                    parts.append(str(node["/T"]))
                parent = node.get("/Parent")
                node = parent.get_object() if parent is not None else None
            full_names.append(".".join(reversed(parts)))
    radio_widgets = {n for n, c in Counter(full_names).items() if c > 1}
    assert all(n.split(".")[-1] in ("customer_class", "method", "satisfaction") for n in radio_widgets), radio_widgets
    # the merged file stores the page contents and the field font once, not once per row
    single = (out / names[0]).stat().st_size
    assert (out / "customer-visit-record-all.pdf").stat().st_size < single + 3 * 150_000


def test_every_field_type_fills_from_csv(all_types, tmp_path):
    columns = ["customer", "visit_date", "amount", "level", "products", "stock_checked", "feedback",
               "items_1_name", "items_1_qty", "issues_2_1", "visitor_sign_date"]
    rows = [{"customer": "属瑞 <b>电子</b>", "visit_date": "2020年3月1日", "amount": "1,234.50", "level": "潜在客户",
             "products": "玻璃；加工配送", "stock_checked": "是", "feedback": "第一行\n第二行", "items_1_name": "液晶屏",
             "items_1_qty": "12", "issues_2_1": "偏色", "visitor_sign_date": "2020/3/2"},
            {"customer": "乙公司", "visit_date": "2020-03-05", "level": "一般客户", "stock_checked": "0"}]
    data = tmp_path / "rows.csv"
    data.write_text(_csv(rows, columns), encoding="utf-8-sig")
    out = tmp_path / "out"
    result = run_cli("forms", "fill", "0102-F1", "--data", data, "--out", out, "--root", all_types)  # by code
    assert result.returncode == 0, result.stderr
    first = read_values((out / "0001-属瑞_b_电子_b.pdf").read_bytes())
    assert first["customer"] == "属瑞 <b>电子</b>"
    assert first["visit_date"] == "2020-03-01" and first["visitor_sign_date"] == "2020-03-02"
    assert first["amount"] == "1,234.50"
    assert first["level"] == "潜在客户"
    assert (first["products_1"], first["products_2"], first["products_3"]) == (True, False, True)
    assert first["stock_checked"] is True
    assert first["feedback"] == "第一行\n第二行"
    assert (first["items_1_name"], first["items_1_qty"], first["issues_2_1"]) == ("液晶屏", "12", "偏色")
    assert first["visitor_sign"] is False, "the signature stays empty"
    second = read_values((out / "0002-乙公司.pdf").read_bytes())
    assert second["level"] == "一般客户" and second["stock_checked"] is False and second["customer"] == "乙公司"
    assert (out / "all-types-all.pdf").is_file()


def _fails(root, tmp_path, text: str | bytes, *, form="visit-record"):
    data = tmp_path / "bad.csv"
    data.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    out = tmp_path / "out"
    result = run_cli("forms", "fill", form, "--data", data, "--out", out, "--root", root)
    assert result.returncode == 1, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    assert not out.exists(), "nothing is written"
    return result.stderr


def test_unknown_column_names_row_and_column(minimal, tmp_path):
    err = _fails(minimal, tmp_path, "customer,visit_dat\n甲,2020-01-01\n")
    assert "第 1 行" in err and "visit_dat" in err and "visit_date" in err  # did you mean


def test_missing_required_value_names_row_and_column(minimal, tmp_path):
    err = _fails(minimal, tmp_path, "customer,visit_date\n甲,2020-01-01\n,2020-01-02\n")
    assert "bad.csv:3: 第 3 行，列 'customer'" in err and "必填" in err


def test_bad_date_names_row_and_column(minimal, tmp_path):
    err = _fails(minimal, tmp_path, "customer,visit_date\n甲,2020-01-01\n乙,2020-02-30\n丙,01/03/2020\n")
    assert "bad.csv:3: 第 3 行，列 'visit_date'" in err and "2020-02-30" in err
    assert "bad.csv:4: 第 4 行，列 'visit_date'" in err, "every bad row is reported, not only the first"


def test_messages_in_english(minimal, tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("customer,visit_date\n甲,tomorrow\n", encoding="utf-8")
    result = run_cli("forms", "fill", "visit-record", "--data", data, "--root", minimal, "--lang", "en")
    assert result.returncode == 1
    assert "bad.csv:2: row 2, column 'visit_date': 'tomorrow' is not a date of the form YYYY-MM-DD" in result.stderr


def test_wrong_option_and_signature_column(minimal, tmp_path):
    err = _fails(minimal, tmp_path, "customer,visit_date,method\n甲,2020-01-01,微信\n")
    assert "第 2 行，列 'method'" in err and "上门、电话" in err
    err = _fails(minimal, tmp_path, "customer,visitor_sign\n甲,张三\n")
    assert "visitor_sign" in err and "签字" in err


def test_bad_rows_leave_an_earlier_batch_alone(minimal, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "0001-earlier.pdf").write_bytes(b"earlier")
    data = tmp_path / "bad.csv"
    data.write_text("customer,visit_date\n甲,2020-13-01\n", encoding="utf-8")
    result = run_cli("forms", "fill", "visit-record", "--data", data, "--out", out, "--root", minimal)
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["0001-earlier.pdf"]
    assert (out / "0001-earlier.pdf").read_bytes() == b"earlier"


def test_unknown_form_and_missing_file_are_usage_errors(minimal, tmp_path):
    data = tmp_path / "ok.csv"
    data.write_text("customer\n甲\n", encoding="utf-8")
    result = run_cli("forms", "fill", "visit-recrod", "--data", data, "--root", minimal)
    assert result.returncode == 2 and "visit-record" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("forms", "fill", "visit-record", "--data", tmp_path / "none.csv", "--root", minimal)
    assert result.returncode == 2 and "none.csv" in result.stderr


# -- reading the CSV (the same code the command runs) ------------------------------------------
@pytest.fixture(scope="module")
def visit_form():
    manual, _ = read_manual(MINIMAL)
    return manual.forms["visit-record"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_utf8_with_or_without_bom_and_gbk(visit_form, encoding):
    text = "客户名称,visit_date,method\n东莞市属瑞电子有限公司,2014/5/20,上门\n"
    table = read_csv(visit_form, text.encode(encoding))
    errors = []
    records = list(table.records(errors))
    assert not errors
    assert table.columns == ["customer", "visit_date", "method"], "a unique label names its field too"
    record = records[0]
    assert record.row == 2
    assert record.values == {"customer": "东莞市属瑞电子有限公司", "visit_date": "2014-05-20", "method": "上门"}
    assert record.pdf["method"] == "/0"


def test_undecodable_and_empty_files(visit_form):
    with pytest.raises(CsvProblem):
        decode(b"\xff\xfe" + "customer".encode("utf-16-le"))
    with pytest.raises(CsvProblem):
        read_csv(visit_form, b"")
    with pytest.raises(CsvProblem) as exc:
        read_csv(visit_form, "customer,customer\n甲,乙\n".encode())
    assert "already" in exc.value.text("en") and "列" in exc.value.text("zh-CN")


def test_empty_rows_are_skipped_and_row_numbers_follow_the_sheet(visit_form):
    table = read_csv(visit_form, "customer,visit_date\n\n甲,2020-01-01\n,\n乙,bad\n".encode())
    errors = []
    assert [r.row for r in table.records(errors)] == [3, 5]
    assert [(e.row, e.column) for e in errors] == [(5, "visit_date")]
    checked = check_rows(table)
    assert (checked.rows, checked.error_count) == (2, 1)


def test_safe_file_names():
    assert row_file_name(1, 'a/b\\c:d*e?f"g<h>i|j') == "0001-a_b_c_d_e_f_g_h_i_j.pdf"
    assert row_file_name(12, "") == "0012.pdf"
    assert row_file_name(3, "../..") == "0003.pdf"
    assert safe_name("东莞 长安\t电子") == "东莞_长安_电子"
    assert len(safe_name("长" * 100)) == 40
