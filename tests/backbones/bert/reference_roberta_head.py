"""RoBERTa's classification head against transformers' RobertaForSequenceClassification, in float64.

  reference_roberta_head.py fixture DIR   # DIR/model: a tiny RoBERTa folder laid out as roberta-large's
                                          # (roberta.* with the pooler, RobertaForMaskedLM's lm_head.*, no
                                          # classifier); DIR/cls: one saved from RobertaForSequenceClassification
                                          # (roberta.* without a pooler, classifier.* non-trivial); both float32,
                                          # config.json + model.safetensors. DIR/ids.safetensors: token ids with
                                          # padding, labels
  reference_roberta_head.py reference DIR # DIR/ref.safetensors: DIR/model as RobertaForSequenceClassification
                                          # with adaptlab's random head (DIR/ours.safetensors) copied in;
                                          # DIR/ref-cls.safetensors: DIR/cls as saved. Each: the logits and the
                                          # gradients of the mean cross-entropy on the labels (float64, eval)

The released roberta-large checkpoint holds the MLM head (lm_head.dense, lm_head.layer_norm,
lm_head.decoder, lm_head.bias) and roberta.pooler.dense, neither of which RobertaForSequenceClassification
uses (transformers lists them as "not used" and initialises classifier.* anew); the fixture holds them too.
initializer_range is 0.05 (not the 0.02 default), so the test sees that the new head's std is read from
config.json.
"""
import json
import os
import sys

import torch

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/methods/tome")
from reference import load, save  # noqa: E402  (the tests' safetensors-layout writer)

CONFIG = dict(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
              max_position_embeddings=40, type_vocab_size=1, layer_norm_eps=1e-5, hidden_act="gelu",
              pad_token_id=1, bos_token_id=0, eos_token_id=2, hidden_dropout_prob=0.1,
              attention_probs_dropout_prob=0.1, initializer_range=0.05)
HEAD = ("dense.weight", "dense.bias", "out_proj.weight", "out_proj.bias")


def write_folder(path, config, tensors):
    from safetensors.torch import save_file
    tensors = {k: v.detach().float().contiguous().clone() for k, v in tensors.items()
               if not k.endswith("position_ids")}
    os.makedirs(path, exist_ok=True)
    save_file(tensors, path + "/model.safetensors", metadata={"format": "pt"})
    cfg = config.to_dict()
    cfg["model_type"] = "roberta"
    json.dump(cfg, open(path + "/config.json", "w"), indent=1)


def fixture(d):
    from transformers import RobertaConfig, RobertaForMaskedLM, RobertaForSequenceClassification, RobertaModel
    torch.manual_seed(0)
    config = RobertaConfig(**CONFIG, architectures=["RobertaForMaskedLM"])
    enc = RobertaModel(config, add_pooling_layer=True)
    mlm = RobertaForMaskedLM(config)
    with torch.no_grad():
        for name, p in enc.named_parameters():
            if name.endswith("bias") or "LayerNorm" in name:
                p.add_(0.1 * torch.randn_like(p))  # LayerNorm weights and biases off their defaults
    tensors = {"roberta." + k: v for k, v in enc.state_dict().items()}
    tensors.update({k: v for k, v in mlm.state_dict().items() if k.startswith("lm_head.")})
    write_folder(d + "/model", config, tensors)

    # A fine-tuned classifier's folder: classifier.* far from a fresh initialisation, no pooler.
    cls_config = RobertaConfig(**CONFIG, num_labels=3, architectures=["RobertaForSequenceClassification"])
    cls = RobertaForSequenceClassification(cls_config)
    with torch.no_grad():
        for name, p in cls.named_parameters():
            if name.startswith("classifier."):
                p.copy_(0.3 * torch.randn_like(p))
            elif name.endswith("bias") or "LayerNorm" in name:
                p.add_(0.1 * torch.randn_like(p))
    assert cls.roberta.pooler is None
    write_folder(d + "/cls", cls_config, cls.state_dict())

    ids = torch.randint(3, 100, (4, 12))
    ids[:, 0] = 0     # <s>
    ids[1, 9:] = 1    # right padding (pad id 1)
    ids[2, 5:] = 1
    ids[3, 11] = 2    # </s>
    save(d + "/ids.safetensors", {"ids": ids, "labels": torch.tensor([0, 2, 1, 2])})


def outputs(model, ids, labels):
    logits = model(input_ids=ids, attention_mask=(ids != 1).long()).logits
    torch.nn.functional.cross_entropy(logits, labels).backward()
    out = {"logits": logits.detach()}
    for name in HEAD:
        out["grad.head." + name] = model.classifier.get_parameter(name).grad
    out["grad.encoder.layer.1.attention.self.query.weight"] = \
        model.roberta.encoder.layer[1].attention.self.query.weight.grad
    out["grad.embeddings.word_embeddings.weight"] = model.roberta.embeddings.word_embeddings.weight.grad
    out["unused_pooler"] = torch.tensor(float(model.roberta.pooler is None))
    return out


def reference(d):
    from transformers import RobertaForSequenceClassification
    ours = load(d + "/ours.safetensors")
    ids, labels = ours["ids"], ours["labels"]
    model = RobertaForSequenceClassification.from_pretrained(d + "/model", num_labels=3, attn_implementation="eager")
    model = model.double().eval()
    with torch.no_grad():
        for name in HEAD:
            model.classifier.get_parameter(name).copy_(ours["head." + name])
    save(d + "/ref.safetensors", outputs(model, ids, labels))

    model = RobertaForSequenceClassification.from_pretrained(d + "/cls", attn_implementation="eager")
    model = model.double().eval()
    out = outputs(model, ids, labels)
    for name in HEAD:
        out["head." + name] = model.classifier.get_parameter(name).detach()
    save(d + "/ref-cls.safetensors", out)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    {"fixture": fixture, "reference": reference}[sys.argv[1]](sys.argv[2])
