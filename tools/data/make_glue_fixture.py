"""Writes a small GLUE tree in the real on-disk layout (the GLUE download script's folders, file names,
headers and columns; CoLA without a header), with a signal a tiny model can learn, for the test suite
and for trying the GLUE studies without the data:

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


def write(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if header is not None:
            f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(str(c) for c in r) + "\n")


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
        # SST-2: sentence, label.
        rows = []
        for i in range(n):
            y = rng.randint(0, 1)
            rows.append((sentence(rng)[:-1] + (" wonderful" if y else " terrible"), y))
        write(f"{o}/SST-2/{f}", ["sentence", "label"], rows)
        # MRPC: Quality, #1 ID, #2 ID, #1 String, #2 String.
        rows = []
        for i in range(n):
            y = rng.randint(0, 1)
            s1, s2 = pair(rng, y == 1)
            rows.append((y, 1000 + i, 2000 + i, s1, s2))
        write(f"{o}/MRPC/{f}", ["Quality", "#1 ID", "#2 ID", "#1 String", "#2 String"], rows)
        # QQP: id, qid1, qid2, question1, question2, is_duplicate.
        rows = []
        for i in range(n):
            y = rng.randint(0, 1)
            s1, s2 = pair(rng, y == 1)
            rows.append((i, 2 * i, 2 * i + 1, s1[:-1] + "?", s2[:-1] + "?", y))
        write(f"{o}/QQP/{f}", ["id", "qid1", "qid2", "question1", "question2", "is_duplicate"], rows)
        # STS-B: index genre filename year old_index source1 source2 sentence1 sentence2 score.
        rows = []
        for i in range(n):
            s1 = sentence(rng, 8)
            w = s1.rstrip(".").split()
            keep = rng.randint(0, 8)
            s2 = " ".join(w[:keep] + [rng.choice(WORDS) for _ in range(8 - keep)]).capitalize() + "."
            rows.append((i, "main-news", "2017", "2017", i, "none", "none", s1, s2, f"{5.0 * keep / 8:.3f}"))
        write(f"{o}/STS-B/{f}", ["index", "genre", "filename", "year", "old_index", "source1", "source2", "sentence1",
                                 "sentence2", "score"], rows)
        # MNLI: 12 columns on train (label1, gold_label), 16 on dev (label1..5, gold_label).
        labels = ["entailment", "neutral", "contradiction"]
        head = ["index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
                "sentence1_parse", "sentence2_parse", "sentence1", "sentence2"]
        extra = ["label1"] if split == "train" else ["label1", "label2", "label3", "label4", "label5"]
        for name in (["train.tsv"] if split == "train" else ["dev_matched.tsv", "dev_mismatched.tsv"]):
            rows = []
            for i in range(n):
                y = rng.choice(labels)
                s1 = sentence(rng)
                if y == "entailment":
                    s2 = " ".join(s1.rstrip(".").split()[:4]).capitalize() + "."
                elif y == "contradiction":
                    s2 = "Nobody " + " ".join(s1.rstrip(".").split()[1:4]) + " never."
                else:
                    s2 = sentence(rng)
                rows.append([i, i, f"{i}e", "fiction", "( x )", "( y )", "(ROOT x)", "(ROOT y)", s1, s2] +
                            [y] * len(extra) + [y])
            write(f"{o}/MNLI/{name}", head + extra + ["gold_label"], rows)
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


main()
