"""The learning rate of every optimiser step under transformers' get_linear_schedule_with_warmup (the
schedule Variator's released pre-training uses). Usage: reference_linear_schedule.py LR WARMUP TOTAL OUT.json"""
import json
import sys

import torch
from transformers import get_linear_schedule_with_warmup

lr, warmup, total = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr)
sched = get_linear_schedule_with_warmup(opt, num_warmup_steps=warmup, num_training_steps=total)
lrs = []
for _ in range(total):
    lrs.append(opt.param_groups[0]["lr"])
    opt.step()
    sched.step()
json.dump(lrs, open(sys.argv[4], "w"))
