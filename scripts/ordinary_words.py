"""Write generator/rules/ordinary_words.txt: the ordinary two-character Chinese words.

``company-foreign`` (generator/rules/companies.py) reads "申江公司" as a company name because 申江 is no
ordinary word, and "遵守公司规定" as none because 遵守 is one.  This list is what it calls ordinary: the
two-character words of jieba's dictionary (a dependency of the site) used at least MIN_FREQ times, less those
it tags as names of people or organisations (nr, nrt, nrfg, nt), which may name a company.  Other proper nouns
(nz) and abbreviations (j) stay: most are ordinary in a manual (保安, 中介, 中小企业); the brands among them are
in companies.yaml.  Place names (ns) stay ordinary too: "上海公司" is as often a branch as another company.

The list is generated once and shipped, so that a check gives the same findings whatever jieba is installed
and costs a few milliseconds instead of loading jieba's half-million-entry dictionary.  Run it again
(``python scripts/ordinary_words.py``) only to change MIN_FREQ or the excluded tags.
"""
from __future__ import annotations

import os
from pathlib import Path

import jieba

MIN_FREQ = 20
NAME_TAGS = {"nr", "nrt", "nrfg", "nt"}
OUT = Path(__file__).resolve().parent.parent / "generator" / "rules" / "ordinary_words.txt"
PER_LINE = 40


def main() -> None:
    source = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    words = set()
    for line in source.read_text(encoding="utf-8").splitlines():
        parts = line.split(" ")
        if len(parts) != 3:
            continue
        word, freq, tag = parts
        if len(word) == 2 and all("\u4e00" <= c <= "\u9fff" for c in word) and int(freq) >= MIN_FREQ \
                and tag not in NAME_TAGS:
            words.add(word)
    ordered = sorted(words)
    lines = ["".join(ordered[i:i + PER_LINE]) for i in range(0, len(ordered), PER_LINE)]
    header = (f"# Ordinary two-character words (jieba {jieba.__version__}, frequency >= {MIN_FREQ}, not tagged "
              f"{' '.join(sorted(NAME_TAGS))}): written by scripts/ordinary_words.py; {len(ordered)} words, "
              f"{PER_LINE} to a line, no separators.\n")
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
