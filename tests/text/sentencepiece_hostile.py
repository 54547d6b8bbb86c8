"""The reference for tests/text/test_sentencepiece_hostile.cpp: a SentencePiece model trained as
tests/backbones/t5/reference_t5.py trains it (800 pieces, T5's pad/eos/unk layout), and transformers'
T5Tokenizer ids for texts that play with the sentinel syntax: only the registered additional special
tokens (<extra_id_0> … <extra_id_99>) are special there, matched exactly; everything else that looks like
one (out of range, leading zeros, a sign, 200,000 digits, unterminated) is ordinary text.
Usage: sentencepiece_hostile.py DIR CORPUS"""
import json
import os
import sys

import sentencepiece
from transformers import T5Tokenizer

d, corpus = sys.argv[1], sys.argv[2]
os.makedirs(d, exist_ok=True)
sentencepiece.SentencePieceTrainer.train(
    input=corpus, model_prefix=d + "/spiece", vocab_size=800, model_type="unigram", pad_id=0, eos_id=1,
    unk_id=2, bos_id=-1, character_coverage=1.0, num_threads=1, input_sentence_size=4000,
    shuffle_input_sentence=False, minloglevel=2)
tok = T5Tokenizer.from_pretrained(d)
texts = ["<extra_id_99>", "<extra_id_100>", "<extra_id_007>", "<extra_id_00>", "<extra_id_0>", "<extra_id_-1>",
         "<extra_id_+1>", "<extra_id_ 1>", "<extra_id_99999999999999999999>", "a <extra_id_99999999999999999999> b",
         "a <extra_id_" + "7" * 200000 + "> b", "<extra_id_" + "1" * 200000, "a<extra_id_1<extra_id_2>b",
         "<<extra_id_0>>", "<extra_id_", "<extra_id_7", "<", "x</s>y<pad>z<unk>w", "</s", "<extra_id_4294967296>",
         "<extra_id_10000000000>", "the <extra_id_3><extra_id_4> end", "<extra_id_1>" * 50]
json.dump({"texts": texts, "ids": [tok(t)["input_ids"] for t in texts]}, open(d + "/hostile.json", "w"))
