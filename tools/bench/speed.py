"""One command for the speed benchmark: adaptlab against the Python references on the same torch, the
same threads and batch, side by side in one job (the two alternate, process by process, for ROUNDS rounds;
each process times REPS calls after warm-up and reports its median). Prints the medians over rounds and
the ratio ours / reference, writes every result into results/bench.sqlite (study bench) and prints
`adaptlab table` of it.

  .venv/bin/python tools/bench/speed.py [--cases a,b] [--batch N] [--text-batch N] [--reps R] [--rounds K]
                                        [--threads T] [--precision fp32|bf16] [--build build] [--db results/bench.sqlite]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES = ["vit_b16_forward", "vit_b16_lora_step", "vit_b16_tome_low", "vit_b16_tome_high", "minilm_lora_step"]


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--batch", type=int, default=8, help="images per batch (ViT cases)")
    ap.add_argument("--text-batch", type=int, default=32, help="sequences per batch (text case)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--precision", default="fp32", choices=["fp32", "bf16"])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--db", default=os.path.join(ROOT, "results", "bench.sqlite"))
    a = ap.parse_args()
    subprocess.run(["cmake", "--build", a.build, "--target", "adaptlab_bench_speed", "adaptlab_cli"], check=True,
                   stdout=subprocess.DEVNULL)
    ours_bin = os.path.join(a.build, "adaptlab_bench_speed")
    ref = [sys.executable, os.path.join(ROOT, "tools", "bench", "reference_speed.py")]
    results = []
    print(f"{'case':20s} {'adaptlab':>12s} {'reference':>12s} {'ratio':>7s}   (samples/s, median of {a.rounds} "
          f"rounds x {a.reps} reps; {a.threads} threads; {a.precision})")
    for case in a.cases.split(","):
        batch = a.text_batch if case.startswith("minilm") else a.batch
        args = [case, str(batch), str(a.reps), str(a.threads), a.precision]
        per = {"adaptlab": [], "reference": []}
        for r in range(a.rounds):
            for impl, cmd in (("adaptlab", [ours_bin] + args), ("reference", ref + args)):
                res = run(cmd)
                res["round"] = r
                results.append(res)
                per[impl].append(res["samples_per_s"])
        ours, theirs = statistics.median(per["adaptlab"]), statistics.median(per["reference"])
        print(f"{case:20s} {ours:12.2f} {theirs:12.2f} {ours / theirs:7.2f}x", flush=True)
    os.makedirs(os.path.dirname(a.db), exist_ok=True)
    jsonl = a.db + ".results.jsonl"
    with open(jsonl, "w") as f:
        for res in results:
            f.write(json.dumps(res) + "\n")
    subprocess.run([ours_bin, "--record", a.db, jsonl], check=True)
    subprocess.run([os.path.join(a.build, "adaptlab"), "table", "--db", a.db, "--metric", "throughput.eval",
                    "--scale", "1", "--precision", "1"], check=True)


main()
