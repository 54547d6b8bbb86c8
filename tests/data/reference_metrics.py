"""scikit-learn's and scipy's values of the GLUE metrics on the predictions tests/train/test_metrics.cpp
writes (the same numbers both sides see). Usage: reference_metrics.py IN.json OUT.json"""
import json
import sys

from scipy.stats import pearsonr, spearmanr
from sklearn.metrics import accuracy_score, f1_score, matthews_corrcoef

cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    if c["kind"] == "class":
        p, g = c["pred"], c["gold"]
        out.append({"accuracy": accuracy_score(g, p), "f1": f1_score(g, p, zero_division=0.0) if set(g + p) <= {0, 1} else None,
                    "matthews": matthews_corrcoef(g, p)})
    else:
        x, y = c["x"], c["y"]
        out.append({"pearson": float(pearsonr(x, y)[0]), "spearman": float(spearmanr(x, y)[0])})
json.dump(out, open(sys.argv[2], "w"))
