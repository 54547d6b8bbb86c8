"""Writes a small GLUE tree in the real on-disk layout, with the real files' quirks (datasets/glue/README.md
cites each and the public loader that handles it), and a signal a tiny model can learn, for the test suite
and for trying the GLUE studies without the data. As the GLUE download (download_glue_data.py) writes it:
the folders, file names, headers and columns; CoLA's train and dev files without a header (4 columns), its
test file with one; MRPC's train and dev files beginning with a UTF-8 BOM (the header line copied from
msr_paraphrase_train.txt); quotes as plain characters (MRPC, QQP, MNLI texts); SST-2's texts ending in a
space before the tab; QQP's train file with a row broken in two by a newline inside a question (lines with
missing fields, extra to the N rows); MNLI's dev_matched / dev_mismatched (16 columns; train has 12); and
every task's test file (an index or id column, no labels):

  python3 tools/data/make_glue_fixture.py OUT_DIR [--train N] [--dev N] [--seed S]

Texts are made of common English words; each task's label follows from its texts (a sentiment word, a
shared or negated phrase, word overlap for STS-B scores), so accuracy well above chance is reachable.
"""
import argparse
import os
import random

WORDS = ("the a man woman child dog cat car house city river tree book song game team market report "
         "people company world year day night morning street table window garden school music story "
         "walks reads sees writes plays builds finds opens watches holds buys sells makes takes gives").split()


def sentence(rng, n=None):
    return " ".join(rng.choice(WORDS) for _ in range(n or rng.randint(5, 12))).capitalize() + "."


def write(path, header, rows, bom=False, raw_after=None):
    """rows as tab-joined lines under `header`; bom: a UTF-8 BOM first (MRPC); raw_after: {i: [line, ...]}
    lines written as they are after row i (QQP's broken rows)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if bom:
            f.write("\ufeff")
        if header is not None:
            f.write("\t".join(header) + "\n")
        for i, r in enumerate(rows):
            f.write("\t".join(str(c) for c in r) + "\n")
            for line in (raw_after or {}).get(i, []):
                f.write(line + "\n")


def quoted(s, i):
    """Some texts carry quote characters, balanced or not (csv.QUOTE_NONE: they are plain characters)."""
    if i % 3 == 0:
        w = s.split()
        return " ".join(w[:2] + ['"'] + w[2:4] + ['"'] + w[4:])
    return s + ' "' if i % 3 == 1 else s


def pair(rng, related):
    a = sentence(rng)
    if related:  # the second shares most of the first's words
        w = a.rstrip(".").split()
        rng.shuffle(w)
        b = " ".join(w[: max(3, len(w) - 2)]).capitalize() + "."
    else:
        b = sentence(rng)
    return a, b


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--train", type=int, default=200)
    ap.add_argument("--dev", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    o = a.out
    for split, n in (("train", a.train), ("dev", a.dev)):
        f = f"{split}.tsv"
        # CoLA: no header; source, label, original mark, sentence. Acceptable ones end with "indeed".
        rows = []
        for i in range(n):
            y = rng.randint(0, 1)
            s = sentence(rng)
            rows.append(("gj04", y, "" if y else "*", s[:-1] + (" indeed." if y else " the the.")))
        write(f"{o}/CoLA/{f}", None, rows)
        if split == "dev":  # the test file has a header and no labels
            write(f"{o}/CoLA/test.tsv", ["index", "sentence"], [(i, r[3]) for i, r in enumerate(rows)])
        # SST-2: sentence, label.
        rows = []
        for i in range(n):
            y = rng.randint(0, 1)
            rows.append((sentence(rng)[:-1] + (" wonderful " if y else " terrible "), y))  # a space before the tab
        write(f"{o}/SST-2/{f}", ["sentence", "label"], rows)
        if split == "dev":
            write(f"{o}/SST-2/test.tsv", ["index", "sentence"], [(i, r[0]) for i, r in enumerate(rows)])
        # MRPC: Quality, #1 ID, #2 ID, #1 String, #2 String.
        rows = []
        for i in range(n):
            y = rng.randint(0, 1)
            s1, s2 = pair(rng, y == 1)
            rows.append((y, 1000 + i, 2000 + i, quoted(s1, i), quoted(s2, i + 1)))
        write(f"{o}/MRPC/{f}", ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"], rows, bom=True)
        if split == "dev":  # written by the download script: a fresh header, no BOM, no labels
            write(f"{o}/MRPC/test.tsv", ["index", "#1 ID", "#2 ID", "#1 String", "#2 String"],
                  [(i, r[1], r[2], r[3], r[4]) for i, r in enumerate(rows)])
        # QQP: id, qid1, qid2, question1, question2, is_duplicate.
        rows = []
        for i in range(n):
            y = rng.randint(0, 1)
            s1, s2 = pair(rng, y == 1)
            rows.append((i, 2 * i, 2 * i + 1, quoted(s1[:-1] + "?", i + 2), s2[:-1] + "?", y))
        # Train: rows broken in two by a newline inside a quoted question (question1, then question2), as
        # in GLUE's QQP train.tsv: 4 + 3 and 5 + 2 fields, after row 1.
        broken = {0: [f'{n}\t{2 * n}\t{2 * n + 1}\t"Is the book about the old city the best one?',
                      '"\tWhat is the evidence for the old city?\t0',
                      f'{n + 1}\t{2 * n + 2}\t{2 * n + 3}\tWhy did the team sell the house?\t"Why did the team buy a house?',
                      '"\t0']} if split == "train" else None
        write(f"{o}/QQP/{f}", ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"], rows, raw_after=broken)
        if split == "dev":
            write(f"{o}/QQP/test.tsv", ["id", "question1", "question2"], [(r[0], r[3], r[4]) for r in rows])
        # STS-B: index genre filename year old_index source1 source2 sentence1 sentence2 score.
        rows = []
        for i in range(n):
            s1 = sentence(rng, 8)
            w = s1.rstrip(".").split()
            keep = rng.randint(0, 8)
            s2 = " ".join(w[:keep] + [rng.choice(WORDS) for _ in range(8 - keep)]).capitalize() + "."
            rows.append((i, "main-news", "2017", "2017", i, "none", "none", s1, s2, f"{5.0 * keep / 8:.3f}"))
        head = ["index", "genre", "filename", "year", "old_index", "source1", "source2", "sentence1", "sentence2"]
        write(f"{o}/STS-B/{f}", head + ["score"], rows)
        if split == "dev":
            write(f"{o}/STS-B/test.tsv", head, [r[:9] for r in rows])
        # MNLI: 12 columns on train (label1, gold_label), 16 on dev (label1..5, gold_label).
        labels = ["entailment", "neutral", "contradiction"]
        head = ["index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
                "sentence1_parse", "sentence2_parse", "sentence1", "sentence2"]
        extra = ["label1"] if split == "train" else ["label1", "label2", "label3", "label4", "label5"]
        for name in (["train.tsv"] if split == "train" else ["dev_matched.tsv", "dev_mismatched.tsv"]):
            rows = []
            for i in range(n):
                y = rng.choice(labels)
                s1 = quoted(sentence(rng), i + 1)
                if y == "entailment":
                    s2 = " ".join(s1.rstrip(".").split()[:4]).capitalize() + "."
                elif y == "contradiction":
                    s2 = "Nobody " + " ".join(s1.rstrip(".").split()[1:4]) + " never."
                else:
                    s2 = sentence(rng)
                rows.append([i, i, f"{i}e", "fiction", "( x )", "( y )", "(ROOT x)", "(ROOT y)", s1, s2] +
                            [y] * len(extra) + [y])
            write(f"{o}/MNLI/{name}", head + extra + ["gold_label"], rows)
            if split == "dev":  # test_matched.tsv, test_mismatched.tsv: the 10 columns without labels
                write(f"{o}/MNLI/{name.replace('dev', 'test')}", head, [r[:10] for r in rows])
        # QNLI: index, question, sentence, label. RTE and WNLI: index, sentence1, sentence2, label.
        for folder, cols, lab in (("QNLI", ["index", "question", "sentence", "label"], ["entailment", "not_entailment"]),
                                  ("RTE", ["index", "sentence1", "sentence2", "label"], ["entailment", "not_entailment"]),
                                  ("WNLI", ["index", "sentence1", "sentence2", "label"], [1, 0])):
            rows = []
            for i in range(n):
                y = rng.randint(0, 1)
                s1, s2 = pair(rng, y == 0)
                rows.append((i, s1, s2, lab[y]))
            write(f"{o}/{folder}/{f}", cols, rows)
            if split == "dev":
                write(f"{o}/{folder}/test.tsv", cols[:3], [r[:3] for r in rows])


main()
