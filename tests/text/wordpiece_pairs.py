"""Reference encodings of sentence pairs for tests/text/test_wordpiece_pairs.cpp: Hugging Face's
pure-Python BertTokenizer, tokenizer(a, b, max_length=N, truncation="longest_first", padding="max_length").
Usage: wordpiece_pairs.py VOCAB PAIRS.json OUT.json N"""
import json
import sys

try:
    from transformers.models.bert.tokenization_bert_legacy import BertTokenizerLegacy as Slow
except ImportError:
    from transformers import BertTokenizer as Slow

vocab, pairs_path, out_path, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tok = Slow(vocab, do_lower_case=True, tokenize_chinese_chars=True, strip_accents=None)
out = []
for a, b in json.load(open(pairs_path)):
    e = tok(a, b, max_length=n, truncation="longest_first", padding="max_length", return_token_type_ids=True)
    out.append({k: e[k] for k in ("input_ids", "attention_mask", "token_type_ids")})
json.dump(out, open(out_path, "w"))
