"""Writes a tiny randomly initialised T5 as a Hugging Face folder — config.json, model.safetensors (as
transformers' save_pretrained writes them) and a spiece.model trained on a text file — for the test suite
and for trying the T5 studies (experiments/variator-glue) without t5-base:

  python3 tools/data/make_tiny_t5.py OUT_DIR --corpus data/wordnet-corpus/corpus.txt [--vocab 800]
      [--d-model 32] [--layers 2] [--seed 0] [--gated]

Prints the ids of <extra_id_0> and of a few one-piece words usable as label words.
"""
import argparse
import os
import shutil
import tempfile


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--vocab", type=int, default=800)
    ap.add_argument("--d-model", type=int, default=32)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--gated", action="store_true", help="T5 v1.1's gated-GELU FFN (default: v1.0's ReLU)")
    a = ap.parse_args()
    import sentencepiece
    import torch
    from transformers import T5Config, T5ForConditionalGeneration, T5Tokenizer
    os.makedirs(a.out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        sentencepiece.SentencePieceTrainer.train(
            input=a.corpus, model_prefix=tmp + "/spiece", vocab_size=a.vocab, model_type="unigram", pad_id=0,
            eos_id=1, unk_id=2, bos_id=-1, character_coverage=1.0, num_threads=1, input_sentence_size=20000,
            shuffle_input_sentence=False, minloglevel=2)
        shutil.copy(tmp + "/spiece.model", a.out + "/spiece.model")
    tok = T5Tokenizer.from_pretrained(a.out)
    torch.manual_seed(a.seed)
    cfg = T5Config(vocab_size=len(tok), d_model=a.d_model, d_kv=a.d_model // 4, d_ff=2 * a.d_model,
                   num_layers=a.layers, num_decoder_layers=1, num_heads=4, dropout_rate=0.1,
                   feed_forward_proj="gated-gelu" if a.gated else "relu", tie_word_embeddings=not a.gated,
                   decoder_start_token_id=0, pad_token_id=0, eos_token_id=1)
    T5ForConditionalGeneration(cfg).save_pretrained(a.out)
    words = [w for w in ("no", "yes", "the", "of", "a", "to") if len(tok(w, add_special_tokens=False)["input_ids"]) == 1]
    print("extra_id_0", tok.convert_tokens_to_ids("<extra_id_0>"))
    for w in words:
        print(w, tok(w, add_special_tokens=False)["input_ids"][0])


if __name__ == "__main__":
    main()
