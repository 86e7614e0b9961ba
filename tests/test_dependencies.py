"""Every package the generator imports is declared in pyproject.toml; test tools only in the test extra."""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def declared(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def imported_distributions(folder: Path) -> dict[str, str]:
    """{distribution: a file that imports it} for every third-party import under ``folder``."""
    owners = metadata.packages_distributions()
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                     else [])
            for name in names:
                top = name.split(".")[0]
                local = (folder / f"{top}.py").exists() or (REPO / "bench" / f"{top}.py").exists()
                if top in sys.stdlib_module_names or top == "generator" or local:
                    continue  # the standard library, the package itself, the repository's own scripts
                for dist in owners.get(top, [top]):
                    found.setdefault(dist.lower().replace("_", "-"), str(path.relative_to(REPO)))
    return found


def test_every_imported_package_is_declared():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = declared(project["dependencies"])
    test = declared(project["optional-dependencies"]["test"])
    missing = {d: f for d, f in imported_distributions(REPO / "generator").items() if d not in runtime}
    assert not missing, f"imported by the generator but not declared in dependencies: {missing}"
    missing = {d: f for d, f in imported_distributions(REPO / "tests").items() if d not in runtime | test}
    assert not missing, f"imported by the tests but not declared in the test extra: {missing}"
    assert not runtime & test, "a package is declared twice"


def test_test_tools_are_not_runtime_dependencies():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    unused = declared(project["dependencies"]) - set(imported_distributions(REPO / "generator")) - \
        set(imported_distributions(REPO / "bench"))
    unused -= {"mkdocs-material"}  # the site's theme and search plugin: MkDocs loads them by name
    assert not unused, f"declared but imported by neither generator/ nor bench/: {unused}"
