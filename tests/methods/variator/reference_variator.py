"""References for Variator's released behaviours, written from the released code's semantics
(thunlp/Variator: model/muxT5.py MuxLayer.mux / demux and MuxT5Base.change_ffn_forward; train_t5.py's
distillation loss), in float64, on tensors the C++ test wrote:

  plugin IN OUT   one encoder FFN sub-layer with its plugin (T5: no class token): the group of k
                  consecutive positions is scored by the gate over their concatenation and softmaxed with no
                  mask (padded positions are grouped like real ones; a sequence whose length is not a
                  multiple of k is filled with zero vectors first, which the released code never sees: its
                  length is a multiple of k); the FFN runs on the weighted sums; its output is dropped
                  (here: multiplied by the given keep mask / (1 - p)) BEFORE the demux; each output is
                  repeated k times and the adapter Linear(2d → m), tanh, Linear(m → d) of [repeated; the
                  position's pre-FFN state] is added. IN: u [B, N, d], gate_w, gate_b, down_w, down_b, up_w,
                  up_b, w1, w2 (FFN: relu(x w1ᵀ) w2ᵀ), drop [B, G, d] (already scaled), k (a 1-element I64).
                  OUT: out [B, N, d].
  distill IN OUT  train_t5.py's MSE for a classification task: mse(decoder teacher, decoder student) +
                  mse(mask · encoder teacher, mask · encoder student), each a mean over every element.
                  IN: enc_s, enc_t [B, N, d], dec_s, dec_t [B, T, d], mask [B, N]. OUT: loss (a scalar).
"""
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file


def plugin(t):
    u = t["u"]
    k = int(t["k"].item())
    bs, n, hs = u.shape
    pad = (-n) % k
    x = torch.cat([u, u.new_zeros(bs, pad, hs)], 1) if pad else u
    # mux: gate over the concatenated group, softmax, weighted sum
    score = F.linear(x.view(bs, -1, k * hs), t["gate_w"], t["gate_b"]).unsqueeze(2)  # bs, G, 1, k
    score = torch.softmax(score, dim=-1)
    c = torch.matmul(score, x.view(bs, -1, k, hs)).squeeze(-2)  # bs, G, hs
    f = F.linear(torch.relu(F.linear(c, t["w1"])), t["w2"])
    f = f * t["drop"]  # the sub-layer's dropout, before the demux
    # demux: repeat k times, adapter on [repeated; pre-FFN state]
    rep = f.unsqueeze(2).repeat(1, 1, k, 1).view(bs, -1, hs)
    adapter = F.linear(torch.tanh(F.linear(torch.cat((rep, x), -1), t["down_w"], t["down_b"])), t["up_w"], t["up_b"])
    return {"out": (rep + adapter)[:, :n].contiguous()}


def distill(t):
    m = t["mask"].unsqueeze(-1)
    loss = F.mse_loss(t["dec_t"], t["dec_s"]) + F.mse_loss(m * t["enc_t"], m * t["enc_s"])
    return {"loss": loss.reshape(1)}


if __name__ == "__main__":
    mode, src, dst = sys.argv[1:4]
    save_file({"plugin": plugin, "distill": distill}[mode](load_file(src)), dst)
