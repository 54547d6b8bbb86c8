#!/usr/bin/env python3
"""Builds data/wordnet-corpus/corpus.txt: plain English text without labels, for label-free training
(Variator's plugin pre-training, `distill: hidden`, on the text_corpus dataset).

Source: the glosses of WordNet 3.0's verb, adjective and adverb synsets, from the Debian package
wordnet-base (/usr/share/wordnet/data.{verb,adj,adv}); nothing is downloaded. The noun glosses are left
out because data/wordnet-lex (the shipped classification task) is made of them: pre-training text and
task text do not overlap. Each gloss (definition and usage examples, whitespace collapsed) is one line;
lines are ordered by SHA-256("wordnet-corpus/v1:<pos>:<offset>"), so the file's first lines (the
text_corpus validation and test passages) are a random sample and the build is the same everywhere.
35,544 lines. Writes the file only when its content changed. Standard library only.
"""
import argparse
import hashlib
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def glosses(wordnet):
    for pos in ("verb", "adj", "adv"):
        with open(os.path.join(wordnet, f"data.{pos}"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("  ") or " | " not in line:
                    continue  # the license header
                offset = line.split(" ", 1)[0]
                text = re.sub(r"\s+", " ", line.split(" | ", 1)[1]).strip()
                if text:
                    yield hashlib.sha256(f"wordnet-corpus/v1:{pos}:{offset}".encode()).hexdigest(), text


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wordnet", default="/usr/share/wordnet")
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "wordnet-corpus"))
    a = ap.parse_args()
    lines = [t for _, t in sorted(glosses(a.wordnet))]
    text = "\n".join(lines) + "\n"
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "corpus.txt")
    old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
    if old != text:
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    print(f"{path}: {len(lines)} passages")


if __name__ == "__main__":
    main()
