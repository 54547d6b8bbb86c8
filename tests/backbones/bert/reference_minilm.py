"""transformers' BertModel with the packaged all-MiniLM-L6-v2 weights, in float64, on token ids the C++
test wrote (from our tokenizer): last hidden state and the masked mean (sentence-transformers' pooling).

  reference_minilm.py MODEL_DIR IN OUT
"""
import sys

import torch

sys.path.insert(0, __file__.rsplit("/", 3)[0] + "/methods/tome")
from reference import load, save  # noqa: E402

from transformers import BertModel  # noqa: E402

model_dir, src, dst = sys.argv[1:4]
ids = load(src)["ids"]
model = BertModel.from_pretrained(model_dir, attn_implementation="eager").double().eval()
mask = (ids != model.config.pad_token_id).long()
with torch.no_grad():
    h = model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids)).last_hidden_state
m = mask.unsqueeze(-1).double()
save(dst, {"last_hidden": h, "mean": (h * m).sum(1) / m.sum(1).clamp(min=1e-9)})
