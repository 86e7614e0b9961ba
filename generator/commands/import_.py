"""``manual import FILE --out DIR``: a legacy manual (.txt or .docx) as source files."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from ..authoring.importer import read_source, run_import, write_output, write_report
from ..authoring.scaffold import _check_empty_target, _move_into
from ..common.progress import note
from ..errors import UsageError


def run(args) -> int:
    target = Path(args.out)
    _check_empty_target(target)
    source = read_source(Path(args.file))
    if not source.text.strip():
        raise UsageError(f"{args.file}: the file has no text")
    note(f"读取 {args.file}：{len(source.lines)} {source.unit}", quiet=args.quiet)
    result = run_import(source)
    parent = target.resolve().parent
    if not parent.is_dir():
        raise UsageError(f"{parent} does not exist; create it first")
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name or 'import'}.", suffix=".tmp", dir=parent))
    try:
        write_output(result, tmp, args.quiet)
        (tmp / "import-report.md").write_text(write_report(result, str(args.out)), encoding="utf-8")
        _move_into(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    note(f"已导入 {len(result.documents)} 个文件、{len(result.forms)} 个表单占位到 {target}；"
         f"需要核对和未能归类的内容见 {target / 'import-report.md'}。\n"
         f"下一步：manual check --root {target}", quiet=args.quiet)
    return 0
