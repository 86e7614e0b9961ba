"""The package's shape: read → model → check → render, one direction only.

Every import between the generator's modules (at the top of a file or inside a
function) goes from a higher layer to a lower one or stays in its layer, and
no two modules import each other, directly or round a longer loop.  Modules
are imported by name: nothing probes with ``importlib`` for a module that
always exists.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "generator"

# Lowest first.  A module may import its own layer and the layers below it.
LAYERS = [
    ("base", ("generator", "generator.errors", "generator.common", "generator.labels")),
    ("read", ("generator.read",)),
    ("model", ("generator.model",)),
    ("rules", ("generator.rules",)),
    ("render", ("generator.publishers", "generator.authoring")),
    ("commands", ("generator.commands",)),
    ("cli", ("generator.cli", "generator.__main__")),
]

def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int:
    best, rank = -1, None
    for i, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    assert rank is not None, f"{module} belongs to no layer; add it to LAYERS"
    return rank


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(path: Path, name: str, known: set[str]) -> list[tuple[str, int]]:
    """(imported generator module, line) for every import in the file, lazy ones included."""
    is_pkg = path.name == "__init__.py"
    here = name.split(".") if is_pkg else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "generator"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "generator":
                continue
            for alias in node.names:  # `from . import x` imports the module x
                sub = f"{target}.{alias.name}"
                out.append((sub if sub in known else target, node.lineno))
    return out


def graph() -> dict[str, list[tuple[str, int]]]:
    mods = modules()
    known = set(mods)
    return {name: [(t, line) for t, line in imports(path, name, known) if t != name]
            for name, path in mods.items()}


def test_every_module_has_a_layer():
    for name in modules():
        layer_of(name)


def test_no_lower_layer_imports_a_higher_one():
    wrong = []
    for name, targets in graph().items():
        for target, line in sorted(set(targets)):
            if layer_of(target) > layer_of(name):
                wrong.append(f"{name}:{line} imports {target} "
                             f"({LAYERS[layer_of(name)][0]} → {LAYERS[layer_of(target)][0]})")
    assert not wrong, "a lower layer imports a higher one:\n" + "\n".join(wrong)


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    edges: dict[str, set[str]] = {}
    for name, targets in graph().items():
        for target, _ in targets:
            # a package's __init__ importing its own submodules is not a loop through them
            if not target.startswith(name + "."):
                edges.setdefault(name, set()).add(target)
    cycles = _cycles(edges)
    assert not cycles, "import cycles:\n" + "\n".join(" ↔ ".join(c) for c in cycles)


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_layer_check_sees_a_lazy_upward_import(tmp_path):
    pkg = tmp_path / "generator" / "read"
    pkg.mkdir(parents=True)
    (pkg / "x.py").write_text("def f():\n    from ..cli import main\n")
    found = imports(pkg / "x.py", "generator.read.x", {"generator.cli"})
    assert ("generator.cli", 2) in found and layer_of("generator.cli") > layer_of("generator.read.x")


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_probing_imports(name):
    """Modules that always exist are imported by name, not looked for."""
    source = modules()[name].read_text(encoding="utf-8")
    assert "import_module(" not in source or name == "generator.cli", \
        f"{name} looks a module up with importlib; import it by name"
