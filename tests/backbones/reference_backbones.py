"""Reference backbones for the parity tests: timm's VisionTransformer and transformers' BertModel, in
float64 with random (non-trivial) weights. Writes the weights, the inputs and the reference outputs;
the C++ test loads the weights into its own backbone by name and compares.

  reference_backbones.py vit  OUT   # timm ViT; logits at the trained size and after a pos_embed resize
  reference_backbones.py bert OUT   # transformers BertModel: last hidden state and pooler output
"""
import sys

import torch

sys.path.insert(0, __file__.rsplit("/", 2)[0] + "/methods/tome")
from reference import save  # noqa: E402  (the tests' safetensors-layout writer)


def randomise(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias") or "norm" in name.lower():
                p.add_(0.1 * torch.randn_like(p))  # LayerNorm weights and biases off their defaults


def vit(out):
    import timm.layers
    from timm.models.vision_transformer import VisionTransformer
    torch.manual_seed(0)
    cfg = dict(patch_size=4, embed_dim=48, depth=3, num_heads=4, mlp_ratio=2.0, qkv_bias=True, num_classes=7)
    model = VisionTransformer(img_size=16, **cfg).double().eval()
    randomise(model)
    images = torch.randn(2, 3, 16, 16)
    tensors = {k: v for k, v in model.state_dict().items()}
    tensors["__images"] = images
    tensors["__logits"] = model(images)
    # The same weights at 24×24: timm resamples pos_embed (4×4 → 6×6 grid) when loading.
    big = VisionTransformer(img_size=24, **cfg).double().eval()
    sd = dict(model.state_dict())
    sd["pos_embed"] = timm.layers.resample_abs_pos_embed(sd["pos_embed"], new_size=[6, 6], num_prefix_tokens=1)
    big.load_state_dict(sd)
    images24 = torch.randn(2, 3, 24, 24)
    tensors["__images24"] = images24
    tensors["__logits24"] = big(images24)
    tensors["__pos_embed24"] = sd["pos_embed"]
    save(out, {k: v.detach() for k, v in tensors.items()})


def bert(out):
    from transformers import BertConfig, BertModel
    torch.manual_seed(0)
    config = BertConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=40, type_vocab_size=2,
                        layer_norm_eps=1e-12, hidden_act="gelu", pad_token_id=0,
                        attn_implementation="eager")
    model = BertModel(config, add_pooling_layer=True).double().eval()
    randomise(model)
    ids = torch.randint(1, 100, (3, 12))
    ids[1, 9:] = 0   # padding
    ids[2, 5:] = 0
    mask = (ids != 0).long()
    with torch.no_grad():
        o = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
    tensors = {k: v for k, v in model.state_dict().items()}
    tensors["__ids"] = ids
    tensors["__last_hidden"] = o.last_hidden_state
    tensors["__pooler"] = o.pooler_output
    save(out, {k: v.detach() for k, v in tensors.items()})


def roberta(out):
    from transformers import RobertaConfig, RobertaModel
    torch.manual_seed(0)
    config = RobertaConfig(vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                           intermediate_size=64, max_position_embeddings=40, type_vocab_size=1,
                           layer_norm_eps=1e-5, hidden_act="gelu", pad_token_id=1, attn_implementation="eager")
    model = RobertaModel(config, add_pooling_layer=True).double().eval()
    randomise(model)
    ids = torch.randint(2, 100, (3, 12))
    ids[1, 9:] = 1   # right padding (RoBERTa's pad id is 1; its positions start at pad + 1)
    ids[2, 5:] = 1
    with torch.no_grad():
        o = model(input_ids=ids, attention_mask=(ids != 1).long())
    tensors = {"roberta." + k: v for k, v in model.state_dict().items()}   # as RobertaFor* checkpoints name them
    tensors["__ids"] = ids
    tensors["__last_hidden"] = o.last_hidden_state
    save(out, {k: v.detach() for k, v in tensors.items()})


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    {"vit": vit, "bert": bert, "roberta": roberta}[sys.argv[1]](sys.argv[2])
