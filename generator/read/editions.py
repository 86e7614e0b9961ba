"""Released editions as the reader sees them: their manifests, the latest one as the version baseline."""
from __future__ import annotations

import json
from pathlib import Path

EDITIONS = "editions"
MANIFEST = "manifest.json"


def editions_dir(root: Path) -> Path:
    return Path(root) / EDITIONS


def list_editions(root: Path) -> list[dict]:
    """Manifests of the released editions, oldest first."""
    out = []
    folder = editions_dir(root)
    if not folder.is_dir():
        return out
    for path in folder.iterdir():
        manifest = path / MANIFEST
        if path.is_dir() and not path.name.startswith(".") and manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            data["_path"] = str(path)
            out.append(data)
    out.sort(key=lambda m: (m.get("released", ""), m.get("sequence", 0), m.get("edition", "")))
    return out


def latest_edition(root: Path) -> dict | None:
    editions = list_editions(root)
    return editions[-1] if editions else None


_LATEST_CACHE: dict = {}


def latest_index(root: Path) -> dict | None:
    """{("document"|"form", key): entry} of the latest edition, cached per folder state."""
    folder = editions_dir(root)
    try:
        stamp = (folder.stat().st_mtime_ns, tuple(sorted(p.name for p in folder.iterdir())))
    except OSError:
        return None
    cached = _LATEST_CACHE.get(str(root))
    if cached and cached[0] == stamp:
        return cached[1]
    latest = latest_edition(root)
    index = None
    if latest:
        index = {"_edition": latest}
        for entry in latest.get("documents", []):
            index[("document", entry.get("code"))] = entry
        for entry in latest.get("forms", []):
            index[("form", entry.get("id"))] = entry
    _LATEST_CACHE[str(root)] = (stamp, index)
    return index
