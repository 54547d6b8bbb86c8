"""Reference for tests/text/test_bpe_parity.cpp: trains a small byte-level BPE (Hugging Face `tokenizers`,
GPT-2 / RoBERTa style, special tokens <s> <pad> </s> <unk> first as in RoBERTa) on a corpus, saves its
vocab.json and merges.txt, and encodes sentences with transformers' RobertaTokenizer built from those
two files: ids, single encodings and pair encodings (max_length N, longest-first truncation, padding).
Usage: bpe_parity.py OUT_DIR N CORPUS... (sentences: every non-empty line of the corpora)"""
import json
import sys

from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import RobertaTokenizer

out, n, corpora = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
lines, sample = [], []
for c in corpora:
    with open(c, encoding="utf-8") as f:
        these = [l.rstrip("\n") for l in f if l.strip()]
    lines += these
    sample += these[:150]  # sentences from every corpus (the Unicode fixture's scripts and symbols too)
tok = Tokenizer(models.BPE())
tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
tok.train_from_iterator(lines, trainers.BpeTrainer(vocab_size=1200, special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
                                                   initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
tok.model.save(out)
# transformers 5 takes the vocabulary and merges themselves (a vocab_file argument would be ignored).
vocab = json.load(open(f"{out}/vocab.json", encoding="utf-8"))
merges = [tuple(l.rstrip("\n").split(" ")) for l in open(f"{out}/merges.txt", encoding="utf-8")
          if l.strip() and not l.startswith("#version")]
rt = RobertaTokenizer(vocab=vocab, merges=merges)
assert rt.bos_token_id == vocab["<s>"] and rt.pad_token_id == vocab["<pad>"], "special tokens not taken from the vocab"
sentences = sample
pairs = list(zip(sentences[0::2], sentences[1::2]))[:100]
res = {
    "version": __import__("transformers").__version__,
    "ids": [rt(s, add_special_tokens=False)["input_ids"] for s in sentences],
    "single": [rt(s, max_length=n, truncation=True, padding="max_length")["input_ids"] for s in sentences],
    "pairs": [dict(rt(a, b, max_length=n, truncation="longest_first", padding="max_length", return_token_type_ids=True))
              for a, b in pairs],
    "sentences": sentences,
    "pair_texts": pairs,
}
json.dump(res, open(f"{out}/reference.json", "w"))
