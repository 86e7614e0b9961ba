"""The site engine stays behind the site publisher (docs/decisions/0001-site-engine.md): only
generator/publishers/site/ imports MkDocs, Material or another site engine, so that switching engines
(Zensical) touches that package alone."""
from __future__ import annotations

import ast

from conftest import REPO

ENGINES = {"mkdocs", "material", "zensical", "pymdownx", "jieba", "lunr"}
SITE = REPO / "generator" / "publishers" / "site"
# Known and left to do: `manual serve` runs MkDocs' live-reload server itself.  Moving it into the site
# publisher is item 3 of a switch (docs/decisions/0001-site-engine.md); until then it is the only exception.
KNOWN = {"generator/commands/serve.py": ["mkdocs.livereload"]}


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__") and node.args and isinstance(node.args[0], ast.Constant):
            yield str(node.args[0].value)


def test_only_the_site_publisher_imports_the_site_engine():
    outside = {}
    for path in sorted((REPO / "generator").rglob("*.py")):
        if path.is_relative_to(SITE):
            continue
        found = {name for name in _imports(path) if name.split(".")[0] in ENGINES}
        if found:
            outside[str(path.relative_to(REPO))] = sorted(found)
    assert outside == KNOWN


def test_the_site_publisher_does_import_it():  # the scan above sees the imports it is meant to see
    found = {name.split(".")[0] for path in SITE.rglob("*.py") for name in _imports(path)}
    assert {"mkdocs", "jieba"} & found
