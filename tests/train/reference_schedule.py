"""The learning rate of every optimiser step in the NOAH / PYRA training loop: timm's CosineLRScheduler
(t_initial = epochs, warm-up from warmup_lr_init, no warm-up prefix) made before training and stepped once
after each epoch with that epoch's index. Usage: reference_schedule.py EPOCHS WARMUP WARMUP_LR LR MIN_LR
STEPS_PER_EPOCH OUT.json"""
import json
import sys

import torch
from timm.scheduler.cosine_lr import CosineLRScheduler

epochs, warmup = int(sys.argv[1]), int(sys.argv[2])
warmup_lr, lr, min_lr = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
steps_per_epoch = int(sys.argv[6])
opt = torch.optim.AdamW([torch.nn.Parameter(torch.zeros(1))], lr=lr)
sched = CosineLRScheduler(opt, t_initial=epochs, warmup_t=warmup, lr_min=min_lr, warmup_lr_init=warmup_lr)
lrs = []
for epoch in range(epochs):
    for _ in range(steps_per_epoch):
        lrs.append(opt.param_groups[0]["lr"])
    sched.step(epoch)
json.dump(lrs, open(sys.argv[7], "w"))
