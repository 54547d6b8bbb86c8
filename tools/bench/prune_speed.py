"""What structured pruning buys (issue 14): ViT-B/16 and MiniLM-L6 with 0 %, 20 % and 40 % of every
block's heads and FFN units removed — parameters, FLOPs per sample, training step time (LoRA on the six
Linear points, AdamW), inference throughput and peak resident memory — all in one job, medians over
--rounds processes of --reps timed calls each.

  .venv/bin/python tools/bench/prune_speed.py [--rounds 3] [--reps 5] [--threads T] [--build build]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    subprocess.run(["cmake", "--build", a.build, "--target", "adaptlab_bench_speed"], check=True, stdout=subprocess.DEVNULL)
    exe = os.path.join(a.build, "adaptlab_bench_speed")
    print(f"{'model':9s} {'pruned':>6s} {'params M':>9s} {'GFLOPs':>8s} {'fwd/s':>8s} {'step ms':>8s} {'peak MiB':>9s}")
    for model, fwd, step, batch in (("ViT-B/16", "vit_b16_forward", "vit_b16_lora6_step", 8),
                                    ("MiniLM", "minilm_forward", "minilm_lora6_step", 32)):
        base = None
        for share in (0.0, 0.2, 0.4):
            f, s = [], []
            for _ in range(a.rounds):
                for case, out in ((fwd, f), (step, s)):
                    r = subprocess.run([exe, case, str(batch), str(a.reps), str(a.threads), "fp32", str(share)],
                                       capture_output=True, text=True)
                    if r.returncode != 0:
                        sys.exit(r.stderr)
                    out.append(json.loads(r.stdout.strip().splitlines()[-1]))
            row = {"params": f[0]["params"] / 1e6, "gflops": f[0]["flops"] / 1e9,
                   "fwd": statistics.median(x["samples_per_s"] for x in f),
                   "step": statistics.median(x["seconds"] for x in s) * 1000,
                   "peak": statistics.median(x["peak_rss"] for x in s) / 2**20}
            base = base or row
            print(f"{model:9s} {share:6.0%} {row['params']:9.2f} {row['gflops']:8.3f} {row['fwd']:8.1f} "
                  f"{row['step']:8.1f} {row['peak']:9.0f}   (x{row['fwd'] / base['fwd']:.2f} fwd, "
                  f"x{base['step'] / row['step']:.2f} step)", flush=True)


main()
