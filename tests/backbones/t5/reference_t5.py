"""Reference T5 for the parity tests: transformers' T5ForConditionalGeneration in float64 with random
(non-trivial) weights, saved as a Hugging Face folder (config.json + model.safetensors, as save_pretrained
writes it) beside the inputs and outputs the C++ test compares with.

  reference_t5.py model DIR v1.0|v1.1   # DIR/model: the folder; DIR/ref.safetensors: ids and outputs
  reference_t5.py untied DIR            # T5 v1.1 as Google released it: its own lm_head.weight (not
                                        # `shared`), config.json with tie_word_embeddings false; DIR/ref.safetensors
  reference_t5.py buckets OUT           # _relative_position_bucket on distances -300 … 300, both modes
  reference_t5.py spm DIR CORPUS        # trains DIR/spiece.model on CORPUS; DIR/ids.json: T5Tokenizer's ids

Float64 note: T5LayerNorm takes its mean square in float32 whatever the input (by design, for half
precision); for the float64 comparison it is patched to keep float64, which is what the C++ norm does
with float64 inputs. Nothing else is changed.
"""
import json
import os
import sys

import torch

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/methods/tome")
from reference import save  # noqa: E402  (the tests' safetensors-layout writer)


def patch_norm():
    from transformers.models.t5 import modeling_t5

    def forward(self, h):
        var = (h if h.dtype == torch.float64 else h.to(torch.float32)).pow(2).mean(-1, keepdim=True)
        h = h * torch.rsqrt(var + self.variance_epsilon)
        if self.weight.dtype in [torch.float16, torch.bfloat16]:
            h = h.to(self.weight.dtype)
        return self.weight * h

    modeling_t5.T5LayerNorm.forward = forward


def model(d, version):
    from transformers import T5Config, T5ForConditionalGeneration
    patch_norm()
    torch.manual_seed(0 if version == "v1.0" else 1)
    cfg = T5Config(vocab_size=120, d_model=32, d_kv=8, d_ff=48, num_layers=3, num_decoder_layers=2, num_heads=4,
                   relative_attention_num_buckets=16, relative_attention_max_distance=20, dropout_rate=0.0,
                   feed_forward_proj="relu" if version == "v1.0" else "gated-gelu",
                   tie_word_embeddings=(version == "v1.0"), decoder_start_token_id=0, pad_token_id=0,
                   eos_token_id=1, attn_implementation="eager")
    m = T5ForConditionalGeneration(cfg).double().eval()
    with torch.no_grad():
        for name, p in m.named_parameters():
            if "layer_norm" in name:
                p.add_(0.2 * torch.randn_like(p))  # norm weights off their default of 1
    os.makedirs(d + "/model", exist_ok=True)
    m.save_pretrained(d + "/model")
    ids = torch.randint(3, 120, (3, 30))  # 30 tokens: distances beyond max_distance reach the last bucket
    ids[1, 21:] = 0   # padding
    ids[2, 6:] = 0
    dec = torch.tensor([[0, 119]]).expand(3, 2)  # [pad, the last id as <extra_id_0>]
    with torch.no_grad():
        o = m(input_ids=ids, attention_mask=(ids != 0).long(), decoder_input_ids=dec, output_hidden_states=True)
    save(d + "/ref.safetensors", {"ids": ids, "encoder_hidden": o.encoder_last_hidden_state,
                                  "decoder_hidden": o.decoder_hidden_states[-1],
                                  "lm_logits": o.logits[:, -1]})


def untied(d):
    """Google's T5 v1.1 files: an LM head of its own and "tie_word_embeddings": false (transformers 5
    always ties them and writes no lm_head.weight, so the tie is broken here by hand and the folder is
    written directly, as Google's safetensors conversion holds it: shared, both embed_tokens and lm_head;
    float64). T5 scales the decoder output by d_model**-0.5 only when tied: not here."""
    from safetensors.torch import save_file
    from transformers import T5Config, T5ForConditionalGeneration
    patch_norm()
    torch.manual_seed(2)
    cfg = T5Config(vocab_size=120, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_decoder_layers=2, num_heads=4,
                   relative_attention_num_buckets=16, relative_attention_max_distance=20, dropout_rate=0.0,
                   feed_forward_proj="gated-gelu", tie_word_embeddings=False, decoder_start_token_id=0,
                   pad_token_id=0, eos_token_id=1, attn_implementation="eager")
    assert not cfg.scale_decoder_outputs
    m = T5ForConditionalGeneration(cfg).double().eval()
    m.lm_head.weight = torch.nn.Parameter(torch.randn(120, 32))  # its own head, far from `shared`
    assert m.lm_head.weight.data_ptr() != m.shared.weight.data_ptr()
    with torch.no_grad():
        for name, p in m.named_parameters():
            if "layer_norm" in name:
                p.add_(0.2 * torch.randn_like(p))
    tensors = {k: v.detach().contiguous().clone() for k, v in m.state_dict().items()}
    tensors["lm_head.weight"] = m.lm_head.weight.detach().clone()
    for k in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
        tensors[k] = m.shared.weight.detach().clone()
    os.makedirs(d + "/model", exist_ok=True)
    save_file(tensors, d + "/model/model.safetensors", metadata={"format": "pt"})
    config = cfg.to_dict()
    config["tie_word_embeddings"] = False  # as Google's config.json (transformers 5 would write true)
    config.pop("scale_decoder_outputs", None)
    json.dump(config, open(d + "/model/config.json", "w"), indent=1)
    ids = torch.randint(3, 120, (3, 14))
    ids[1, 9:] = 0
    dec = torch.tensor([[0, 119]]).expand(3, 2)
    with torch.no_grad():
        o = m(input_ids=ids, attention_mask=(ids != 0).long(), decoder_input_ids=dec, output_hidden_states=True)
        dec_h = o.decoder_hidden_states[-1]
        tied_scaled = (dec_h[:, -1] * 32 ** -0.5) @ m.shared.weight.T  # what a tied v1.0 head would give
        assert torch.allclose(o.logits[:, -1], dec_h[:, -1] @ m.lm_head.weight.T, rtol=0, atol=1e-12)
    save(d + "/ref.safetensors", {"ids": ids, "decoder_hidden": dec_h, "lm_logits": o.logits[:, -1],
                                  "lm_head": m.lm_head.weight.detach(), "tied_logits": tied_scaled})


def buckets(out):
    from transformers.models.t5.modeling_t5 import T5Attention
    rel = torch.arange(-300, 301).unsqueeze(0)
    res = {"relative": rel}
    for bi in (True, False):
        for nb, md in ((32, 128), (16, 20), (8, 16)):
            res[f"b{int(bi)}_{nb}_{md}"] = T5Attention._relative_position_bucket(rel, bi, nb, md)
    save(out, res)


def spm(d, corpus):
    import sentencepiece
    from transformers import T5Tokenizer
    os.makedirs(d, exist_ok=True)
    sentencepiece.SentencePieceTrainer.train(
        input=corpus, model_prefix=d + "/spiece", vocab_size=800, model_type="unigram", pad_id=0, eos_id=1,
        unk_id=2, bos_id=-1, character_coverage=1.0, num_threads=1, input_sentence_size=4000,
        shuffle_input_sentence=False, minloglevel=2)
    tok = T5Tokenizer.from_pretrained(d)
    lines = [l.rstrip("\n") for l in open(corpus, encoding="utf-8")][:300]
    texts = lines + ["Hello world!", "  two  spaces   here ", "naïve café ½ ﬁ", "the <extra_id_0> x <extra_id_7>",
                     "123,456.78", "", " ", "Tab\there\nnewline", "end</s> more <pad> and <unk>",
                     "ÉCOLE — “quoted” … ellipsis", "emoji 🙂 and 漢字", "<extra_id_150> is not a sentinel"]
    pairs = [(lines[i], lines[i + 1]) for i in range(0, 40, 2)]
    out = {"texts": texts, "ids": [tok(t)["input_ids"] for t in texts],
           "pairs": pairs, "pair_ids": [tok(a, b)["input_ids"] for a, b in pairs],
           "pair_ids_16": [tok(a, b, truncation="longest_first", max_length=16)["input_ids"] for a, b in pairs],
           "ids_8": [tok(t, truncation=True, max_length=8)["input_ids"] for t in texts],
           "extra_id_0": tok.convert_tokens_to_ids("<extra_id_0>"), "vocab": len(tok)}
    json.dump(out, open(d + "/ids.json", "w", encoding="utf-8"), ensure_ascii=False)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    if sys.argv[1] == "model":
        model(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "untied":
        untied(sys.argv[2])
    elif sys.argv[1] == "buckets":
        buckets(sys.argv[2])
    else:
        spm(sys.argv[2], sys.argv[3])
