"""Reference ids for tests/text/test_wordpiece_parity.cpp from Hugging Face's pure-Python BertTokenizer.

    wordpiece_parity.py VOCAB OUT.json --max-length N [--prose FILE]... [--lines FILE]... [--codepoints]

--prose FILE   a text split into sentences (blank lines end paragraphs; '.', '!' or '?' followed by
               whitespace ends a sentence; line breaks and indentation inside a sentence are kept)
--lines FILE   one sentence per line (only '\\n' ends a line: U+2028, U+0085 … stay inside it)
--codepoints   one text per 64 code points, U+0020 … U+31FFF, each code point c as 'a' c 'b' c c 'C'
               (all but surrogates and '\\n'; unassigned ones must vanish)

Writes {"reference": …, "unicode": …, "max_length": N, "groups": {"sentences": [{"source", "text", "ids",
"input_ids", "attention_mask", "token_type_ids"}, …], "cased": […], "codepoints": […]}}: `ids` without
special tokens, the others from tokenizer(text, max_length=N, truncation=True, padding="max_length");
"cased" holds the same sentences' ids with do_lower_case=False (no lower-casing, accents kept).
"""
import argparse
import json
import os
import re
import sys
import unicodedata


def load_tokenizer(vocab, lower_case):
    import transformers

    try:  # transformers >= 5: the pure-Python tokenizer is BertTokenizerLegacy
        from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as Slow
    except ImportError:  # transformers 4: BertTokenizer is the pure-Python one
        from transformers import BertTokenizer as Slow
    tok = Slow(vocab, do_lower_case=lower_case, tokenize_chinese_chars=True, strip_accents=None)
    if getattr(tok, "is_fast", False):
        sys.exit(f"{Slow.__name__} is a fast (Rust) tokenizer; the reference must be the pure-Python one")
    return tok, f"transformers {transformers.__version__} {Slow.__name__}"


def prose_sentences(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    name = os.path.basename(path)
    out = []
    for paragraph in re.split(r"\n[ \t]*\n", text):
        for sentence in re.split(r"(?<=[.!?])\s+", paragraph.strip()):
            if sentence.strip():
                out.append((name, sentence))
    return out


def line_sentences(path):
    with open(path, encoding="utf-8", newline="") as f:
        lines = f.read().split("\n")
    name = os.path.basename(path)
    return [(f"{name}:{i + 1}", line) for i, line in enumerate(lines) if line.strip()]


def codepoint_texts():
    out = []
    for base in range(0x20, 0x32000, 64):
        chars = [chr(c) for c in range(base, base + 64) if c != 0x0A and not 0xD800 <= c <= 0xDFFF]
        out.append((f"U+{base:04X}", " ".join(f"a{c}b{c}{c}C" for c in chars)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("vocab")
    ap.add_argument("out")
    ap.add_argument("--max-length", type=int, required=True)
    ap.add_argument("--prose", action="append", default=[])
    ap.add_argument("--lines", action="append", default=[])
    ap.add_argument("--codepoints", action="store_true")
    args = ap.parse_args()

    tok, reference = load_tokenizer(args.vocab, lower_case=True)
    cased_tok, _ = load_tokenizer(args.vocab, lower_case=False)
    groups = {"sentences": [], "cased": [], "codepoints": []}
    seen = set()
    for source, text in [s for p in args.prose for s in prose_sentences(p)] + [
        s for p in args.lines for s in line_sentences(p)
    ]:
        if text not in seen:  # the licenses repeat a few sentences
            seen.add(text)
            groups["sentences"].append((source, text))
    groups["cased"] = groups["sentences"]
    if args.codepoints:
        groups["codepoints"] = codepoint_texts()

    result = {"reference": reference, "unicode": unicodedata.unidata_version, "max_length": args.max_length,
              "groups": {}}
    for name, items in groups.items():
        rows = []
        for source, text in items:
            t = cased_tok if name == "cased" else tok
            row = {"source": source, "text": text, "ids": t.convert_tokens_to_ids(t.tokenize(text))}
            if name == "sentences":
                enc = tok(text, max_length=args.max_length, truncation=True, padding="max_length",
                          return_token_type_ids=True, return_attention_mask=True)
                for key in ("input_ids", "attention_mask", "token_type_ids"):
                    row[key] = enc[key]
            rows.append(row)
        result["groups"][name] = rows
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=True)
    print(f"{reference}: {', '.join(f'{k} {len(v)}' for k, v in result['groups'].items())}")


if __name__ == "__main__":
    main()
