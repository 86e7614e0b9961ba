"""`manual import` on bad, oversized and hostile files: one clear line and exit 2, never an internal error.

Every input is made here: zip bombs (honest and lying about their sizes), billion laughs in
document.xml and in styles.xml, a corrupt zip, a zip without a document, an oversized file,
a text in an unknown encoding, empty files and a folder.  The CLI runs in its own process,
as a user would run it.
"""
from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import run_cli
from generator.authoring import importfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                 '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="word/document.xml"/></Relationships>')
STYLES = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:styles xmlns:w="{W_NS}"/>'
LAUGHS = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">" + "".join(
    f"<!ENTITY lol{n} \"{('&lol' + (str(n - 1) if n > 1 else '') + ';') * 10}\">" for n in range(1, 10)) + "]>"


def document_xml(paragraphs=("某某有限公司管理手册", "1、第一条。"), doctype: str = "") -> str:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')


def make_docx(path: Path, parts: dict[str, str | bytes] | None = None, *, document: str | None = None,
              styles: str = STYLES) -> Path:
    files = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS,
             "word/document.xml": document if document is not None else document_xml(), "word/styles.xml": styles}
    files.update(parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            if data is not None:
                archive.writestr(name, data)
    return path


def bomb(megabytes: int) -> tuple[bytes, int, int]:
    """(deflate stream, CRC-32, size) of ``megabytes`` MiB of zero bytes, made in about a second.

    After a full flush the compressor starts afresh, so every further MiB compresses to the same
    bytes: one MiB is compressed once and its bytes repeated (a 1 GiB part is about 1 MB).
    """
    chunk = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return piece * megabytes + compressor.flush(), crc, megabytes * len(chunk)


def raw_zip(path: Path, parts: dict[str, str | bytes | tuple[bytes, int, int]], declared: dict[str, int] | None = None,
            flags: dict[str, int] | None = None, methods: dict[str, int] | None = None) -> Path:
    """A zip written byte by byte: text parts stored, (stream, crc, size) parts deflated; ``declared``
    overrides the uncompressed size the headers state (a zip that lies), ``flags`` and ``methods`` the
    general purpose flags (1: encrypted) and compression methods."""
    body, central = bytearray(), bytearray()
    for name, value in parts.items():
        if isinstance(value, tuple):
            data, crc, size, method = *value, 8
        else:
            data = value.encode("utf-8") if isinstance(value, str) else value
            crc, size, method = zlib.crc32(data), len(data), 0
        size = (declared or {}).get(name, size)
        method = (methods or {}).get(name, method)
        raw = name.encode()
        fields = struct.pack("<HHHHHIIIHH", 20, (flags or {}).get(name, 0), method, 0, 0x5021, crc, len(data), size,
                             len(raw), 0)
        central += b"PK\x01\x02" + struct.pack("<H", 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, len(body)) + raw
        body += b"PK\x03\x04" + fields + raw + data
    end = struct.pack("<HHHHIIH", 0, 0, len(parts), len(parts), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + b"PK\x05\x06" + end))
    return path


def docx_parts(**extra) -> dict:
    return {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": RELS, "word/document.xml": document_xml(),
            "word/styles.xml": STYLES, **extra}


def import_fails(tmp_path: Path, source: Path, *needles: str, lang: str = "zh-CN"):
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out, "--lang", lang)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert "内部错误" not in result.stderr and "internal error" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # one line
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert not out.exists()  # nothing written
    return result.stderr


def test_the_seed_shape_still_imports_from_a_hand_made_docx(tmp_path):
    source = make_docx(tmp_path / "ok.docx", document=document_xml(
        ["示例有限公司业务手册2020年1月1日", "第一章 总则", "1.1 部门职责", "1、负责销售。", "2、负责服务。"]))
    out = tmp_path / "out"
    result = run_cli("import", source, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert (out / "policies" / "0101-2020.md").read_text(encoding="utf-8").rstrip().endswith("2. 负责服务。")


def test_a_1_gb_zip_bomb_is_refused(tmp_path):
    source = raw_zip(tmp_path / "bomb.docx", docx_parts(**{"word/media/image1.emf": bomb(1024)}))
    assert source.stat().st_size < 2 * 1024 * 1024
    assert zipfile.ZipFile(source).getinfo("word/media/image1.emf").file_size == 1 << 30
    import_fails(tmp_path, source, "word/media/image1.emf", "128 MB", "zip 炸弹")


def test_a_highly_compressed_part_is_refused(tmp_path):
    source = raw_zip(tmp_path / "ratio.docx", docx_parts(**{"word/document.xml": bomb(20)}))  # ~1000:1
    import_fails(tmp_path, source, "word/document.xml", "100:1", "zip bomb", lang="en")


def test_a_bomb_that_lies_about_its_size_is_refused(tmp_path):
    """The headers say 1 KB; the part inflates to 1 GB.  Decompression stops at what was declared,
    and the CRC (of the whole part) then fails."""
    source = raw_zip(tmp_path / "liar.docx", docx_parts(**{"word/document.xml": bomb(1024)}),
                     declared={"word/document.xml": 1024})
    assert zipfile.ZipFile(source).getinfo("word/document.xml").file_size == 1024
    import_fails(tmp_path, source, "压缩文件损坏", "word/document.xml")


def test_the_stream_stops_at_the_cap_whatever_the_zip_declares(tmp_path):
    """What comes out of the decompressor is counted, not what the zip says."""
    source = make_docx(tmp_path / "a.docx", document=document_xml(["段落"] * 20_000))
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo("word/document.xml")
        assert info.file_size > 100_000
        with pytest.raises(importfile.PartTooLarge):
            for _ in importfile.xml_events(archive, info, limit=100_000):
                pass
        count = sum(1 for _ in importfile.xml_events(archive, info, tag=f"{{{W_NS}}}p"))
        assert count == 20_000


@pytest.mark.parametrize("where", ["document", "styles", "attribute", "utf-16"])
def test_billion_laughs_is_refused(tmp_path, where):
    source = tmp_path / f"laughs-{where}.docx"
    if where == "document":
        make_docx(source, document=document_xml(["&lol9;"], doctype=LAUGHS))
    elif where == "attribute":  # expanded while the root's start tag is read
        make_docx(source, document=document_xml(["x"], doctype=LAUGHS).replace("<w:document ", '<w:document a="&lol9;" '))
    elif where == "utf-16":
        xml = document_xml(["&lol9;"], doctype=LAUGHS).replace('encoding="UTF-8"', 'encoding="UTF-16"')
        make_docx(source, document=xml.encode("utf-16"))
    else:
        make_docx(source, styles=STYLES.replace("?>", "?>" + LAUGHS, 1).replace("/>", ">&lol9;</w:styles>"))
    import_fails(tmp_path, source, f"word/{'styles' if where == 'styles' else 'document'}.xml", "DOCTYPE")


def test_a_docx_that_is_no_zip_or_a_broken_one(tmp_path):
    """Damage (not hostility) is told by the command boundary's words for zips (tests/test_robust.py)."""
    not_zip = tmp_path / "text.docx"
    not_zip.write_text("这不是 Word 文件", encoding="utf-8")
    import_fails(tmp_path, not_zip, "压缩文件损坏")
    whole = make_docx(tmp_path / "whole.docx").read_bytes()
    cut = tmp_path / "cut.docx"
    cut.write_bytes(whole[: len(whole) // 2])
    import_fails(tmp_path, cut, "the compressed file is damaged", lang="en")
    flipped = bytearray(whole)
    start = whole.index(b"word/document.xml") + len("word/document.xml")  # the first part's data, after its name
    for i in range(start + 10, start + 60):
        flipped[i] ^= 0xFF
    bad = tmp_path / "flipped.docx"
    bad.write_bytes(bytes(flipped))
    import_fails(tmp_path, bad, "压缩文件损坏")


def test_an_encrypted_part_or_an_unknown_compression(tmp_path):
    encrypted = raw_zip(tmp_path / "locked.docx", docx_parts(), flags={"word/document.xml": 1})
    import_fails(tmp_path, encrypted, "不是可读取的 .docx 文件", "encrypted")
    unknown = raw_zip(tmp_path / "method.docx", docx_parts(), methods={"word/document.xml": 99})
    import_fails(tmp_path, unknown, "not a readable .docx file", "compression", lang="en")


def test_a_zip_without_a_document(tmp_path):
    source = make_docx(tmp_path / "empty.docx", {"word/document.xml": None})
    import_fails(tmp_path, source, "word/document.xml", "没有 Word 正文")
    xlsx = tmp_path / "sheet.docx"
    with zipfile.ZipFile(xlsx, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    import_fails(tmp_path, xlsx, "no Word document body", lang="en")
    other_root = make_docx(tmp_path / "other.docx", document=f'<w:styles xmlns:w="{W_NS}"/>')
    import_fails(tmp_path, other_root, "没有 Word 正文")


def test_an_xml_error_in_the_document(tmp_path):
    source = make_docx(tmp_path / "xml.docx", document=document_xml().replace("</w:body>", ""))
    import_fails(tmp_path, source, "XML 内容损坏")


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_an_oversized_file_is_refused_before_it_is_read(tmp_path, suffix):
    source = tmp_path / f"huge{suffix}"
    with open(source, "wb") as f:
        f.truncate(importfile.MAX_FILE_BYTES + 1)  # sparse: nothing to write, the size is what counts
    import_fails(tmp_path, source, "超过导入上限 64 MB")


def test_text_in_an_unknown_encoding(tmp_path):
    utf32 = tmp_path / "utf32.txt"
    utf32.write_bytes("某某有限公司管理手册\n1、第一条。\n".encode("utf-32-le"))
    import_fails(tmp_path, utf32, "neither UTF-8, UTF-16 nor GB18030", lang="en")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    import_fails(tmp_path, binary, "既不是 UTF-8、UTF-16 也不是 GB18030")
    nul = tmp_path / "nul.txt"
    nul.write_bytes("管理手册\x00\x00".encode("utf-8"))
    import_fails(tmp_path, nul, "既不是 UTF-8、UTF-16 也不是 GB18030")
    bad_utf16 = tmp_path / "bad-utf16.txt"
    bad_utf16.write_bytes(b"\xff\xfe" + "管理手册".encode("utf-16-le") + b"\x00\xd8")  # a lone surrogate
    import_fails(tmp_path, bad_utf16, "neither UTF-8, UTF-16 nor GB18030", lang="en")


@pytest.mark.parametrize("encoding", ["big5", "shift_jis"])
def test_big5_or_shift_jis_is_refused_not_read_as_gbk_garbage(tmp_path, encoding):
    """GB18030 decodes nearly any bytes: a Big5 or Shift-JIS file would import as garbage."""
    lines = (["某某有限公司品質管理手冊", "第一章 總則", "為了規範公司的品質管理工作，明確各部門的職責，特制定本手冊。"]
             if encoding == "big5" else
             ["品質管理マニュアル", "第一章 総則", "この手順書は、会社の品質管理の仕組みを定めるものである。"])
    source = tmp_path / f"{encoding}.txt"
    source.write_bytes("\n".join(lines).encode(encoding))
    source.read_bytes().decode("gb18030")  # it does decode: only its reading tells
    import_fails(tmp_path, source, "Big5", "UTF-8、UTF-16 和 GB18030")
    import_fails(tmp_path, source, "no Chinese text", "UTF-8, UTF-16 and GB18030", lang="en")


def test_empty_files(tmp_path):
    empty_txt = tmp_path / "empty.txt"
    empty_txt.write_bytes(b"")
    import_fails(tmp_path, empty_txt, "文件中没有文字")
    empty_docx = tmp_path / "empty.docx"
    empty_docx.write_bytes(b"")
    import_fails(tmp_path, empty_docx, "压缩文件损坏")
    no_text = make_docx(tmp_path / "blank.docx", document=document_xml(["", "  "]))
    import_fails(tmp_path, no_text, "the file has no text", lang="en")


def test_a_folder_as_file(tmp_path):
    folder = tmp_path / "manual.docx"
    folder.mkdir()
    import_fails(tmp_path, folder, "是文件夹")
    import_fails(tmp_path, tmp_path / "manual.docx", "is a folder", lang="en")
    import_fails(tmp_path, tmp_path, "是文件夹")


def test_too_many_parts(tmp_path):
    source = make_docx(tmp_path / "many.docx")
    with zipfile.ZipFile(source, "a", zipfile.ZIP_STORED) as archive:
        for n in range(importfile.MAX_PARTS):
            archive.writestr(f"customXml/{n}.bin", b"")
    import_fails(tmp_path, source, "10000")



def test_invisible_control_characters_are_left_out_and_check_refuses_them_elsewhere(tmp_path):
    """A C1 control character (U+009D, left by a wrong code page) and a BEL are not text: import leaves them out
    (the imported manual checks without control-character), a form feed ends a line; a control character typed
    into a document's body is an error at its line and column."""
    import json
    import shutil

    from conftest import MINIMAL, run_cli

    source = tmp_path / "ctl.txt"
    source.write_bytes("质量手册\n一、总则\n1、本制度\u009d适用于全体\u0007员工。\f2、遵守国家法律。\n".encode("utf-8"))
    out = tmp_path / "out"
    assert run_cli("import", source, "--out", out, "-q").returncode == 0
    written = "".join(p.read_text(encoding="utf-8") for p in (out / "policies").glob("*.md"))
    assert "本制度适用于全体员工。" in written and "2. 遵守国家法律。" in written
    data = json.loads(run_cli("check", "--root", out, "--format", "json").stdout)
    assert not [f for f in data["findings"] if f["rule"] == "control-character"]
    manual = tmp_path / "manual"
    shutil.copytree(MINIMAL, manual)
    policy = manual / "policies" / "0102-2020.md"
    lines = policy.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    lines[at] = lines[at][:5] + "\u009d" + lines[at][5:]
    policy.write_text("\n".join(lines), encoding="utf-8")
    data = json.loads(run_cli("check", "--root", manual, "--format", "json").stdout)
    hits = [f for f in data["findings"] if f["rule"] == "control-character"]
    assert [(f["path"], f["line"], f["column"], f["severity"]) for f in hits] == \
        [("policies/0102-2020.md", at + 1, 6, "error")], hits
