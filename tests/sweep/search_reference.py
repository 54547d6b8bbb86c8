"""Reference points and values for a sweep's search samplers, written independently of adaptlab.

usage: search_reference.py SPEC.json OUT.json

SPEC: {"cases": [{"sampler": "random" | "sobol" | "sobol-plain", "seed": S, "trials": N,
                  "dims": [{"kind": "uniform" | "loguniform" | "int" | "choice", "lo": a, "hi": b,
                            "log": bool, "n": count}]}]}
OUT:  {"cases": [{"u": [[...] per trial], "values": [[...] per trial]}]} (choice: the index drawn).

random: MT19937-64 (written out below from its definition in the C++ standard, [rand.eng.mers] and
[rand.predef], and checked against the standard's required 10000th value), each output x giving
(x >> 11) / 2^53, trial-major. sobol: scipy's unscrambled Sobol points (Joe & Kuo direction numbers,
which agree with Bratley & Fox's, GSL's, in the first two dimensions only: a case may have at most two),
each coordinate's 30 bits moved to the top of 53 and XORed with the dimension's word (x >> 11) of the
j-th output of MT19937-64(seed XOR 0x9E3779B97F4A7C15): a digital shift. sobol-plain: the same without the shift.
"""
import json
import math
import sys
import warnings

from scipy.stats import qmc

MASK = (1 << 64) - 1


class MT19937_64:
    n, m = 312, 156
    a = 0xB5026F5AA96619E9
    u, d = 29, 0x5555555555555555
    s, b = 17, 0x71D67FFFEDA60000
    t, c = 37, 0xFFF7EEE000000000
    l = 43
    f = 6364136223846793005
    upper, lower = MASK ^ ((1 << 31) - 1), (1 << 31) - 1

    def __init__(self, seed):
        self.x = [seed & MASK]
        for i in range(1, self.n):
            prev = self.x[-1]
            self.x.append((self.f * (prev ^ (prev >> 62)) + i) & MASK)
        self.i = self.n

    def _twist(self):
        x = self.x
        for k in range(self.n):
            y = (x[k] & self.upper) | (x[(k + 1) % self.n] & self.lower)
            x[k] = x[(k + self.m) % self.n] ^ (y >> 1) ^ (self.a if y & 1 else 0)
        self.i = 0

    def __call__(self):
        if self.i >= self.n:
            self._twist()
        z = self.x[self.i]
        self.i += 1
        z ^= (z >> self.u) & self.d
        z ^= (z << self.s) & self.b
        z ^= (z << self.t) & self.c
        z ^= z >> self.l
        return z & MASK


def check_engine():
    g = MT19937_64(5489)  # the default seed
    for _ in range(9999):
        g()
    assert g() == 9981545732273789042, "MT19937-64 does not give the standard's 10000th value"


def unit(x):
    return (x >> 11) / 2.0**53


def points(case):
    n, d, seed = case["trials"], len(case["dims"]), case["seed"]
    if case["sampler"] == "random":
        g = MT19937_64(seed)
        return [[unit(g()) for _ in range(d)] for _ in range(n)]
    assert d <= 2, "scipy's Sobol direction numbers equal GSL's in the first two dimensions only"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # balance needs n = 2^k; any prefix is still the sequence
        raw = qmc.Sobol(d, scramble=False, bits=30).random(n)
    nums = [[int(round(v * 2**30)) for v in row] for row in raw]
    for row, r in zip(nums, raw):
        assert all(k / 2**30 == v for k, v in zip(row, r))
    if case["sampler"] == "sobol-plain":
        return [[k / 2.0**30 for k in row] for row in nums]
    g = MT19937_64(seed ^ 0x9E3779B97F4A7C15)  # the shift's own stream
    words = [g() >> 11 for _ in range(d)]
    return [[((k << 23) ^ w) / 2.0**53 for k, w in zip(row, words)] for row in nums]


def below(hi, lo):
    return math.nextafter(hi, lo)


def value(dim, u):
    kind = dim["kind"]
    if kind in ("uniform", "loguniform"):
        lo, hi = dim["lo"], dim["hi"]
        if kind == "uniform":
            v = lo + u * (hi - lo)
        else:
            v = math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        return min(max(v, lo), below(hi, lo))
    if kind == "int":
        lo, hi = dim["lo"], dim["hi"]
        if dim.get("log"):
            v = math.exp(math.log(lo) + u * (math.log(hi + 1) - math.log(lo)))
        else:
            v = lo + u * (hi + 1 - lo)
        return min(max(math.floor(v), lo), hi)
    return min(math.floor(u * dim["n"]), dim["n"] - 1)


def main():
    check_engine()
    spec = json.load(open(sys.argv[1]))
    out = []
    for case in spec["cases"]:
        pts = points(case)
        out.append({"u": pts, "values": [[value(d, u) for d, u in zip(case["dims"], p)] for p in pts]})
    json.dump({"cases": out}, open(sys.argv[2], "w"))


if __name__ == "__main__":
    main()
