"""The label catalogue (generator/labels/): one place, both languages, every entry complete."""
from __future__ import annotations

import pytest

from generator.labels import LANGS, catalogue, labels, text


def _entries(node, path=()):
    if isinstance(node, dict) and node and set(node) <= set(LANGS):
        yield path, node
    else:
        for key, value in node.items():
            yield from _entries(value, path + (key,))


@pytest.mark.parametrize("path,entry", list(_entries(catalogue())), ids=lambda v: ".".join(v) if isinstance(v, tuple) else "")
def test_every_entry_has_chinese_first_and_english(path, entry):
    assert list(entry) == list(LANGS), f"{'.'.join(path)}: write zh-CN first, then en"
    assert entry["zh-CN"].strip() or not entry["en"].strip(), f"{'.'.join(path)}: the Chinese text is missing"


def test_both_languages_have_the_same_keys():
    def keys(node, path=()):
        out = set()
        for k, v in node.items():
            out |= keys(v, path + (k,)) if isinstance(v, dict) else {path + (k,)}
        return out
    assert keys(labels("zh-CN")) == keys(labels("en"))


def test_lookup_fills_placeholders_and_reads_every_scalar_as_text():
    assert text("field.page", "zh-CN", n=3) == "第 3 页"
    assert text("field.page", "en", n=3) == "Page 3"
    assert labels("zh-CN")["site"]["no"] == "序号"  # "no" is a key, not YAML's false
    assert labels("fr") == labels("zh-CN")
