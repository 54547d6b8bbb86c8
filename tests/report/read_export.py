"""Reads an `adaptlab export` file back the way a user would (pyarrow / pandas) and prints what it holds
as JSON on stdout, for tests/report/test_export.cpp to compare with what was exported.
Usage: read_export.py FILE csv|jsonl|parquet"""
import json
import math
import sys

import pandas as pd


def clean(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    return v


def main():
    path, fmt = sys.argv[1], sys.argv[2]
    if fmt == "parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path)
        out = {
            "columns": table.column_names,
            "types": [str(t) for t in table.schema.types],
            "rows": [[clean(r[c]) for c in table.column_names] for r in table.to_pylist()],
            "pandas_rows": len(pd.read_parquet(path)),
        }
    elif fmt == "csv":
        df = pd.read_csv(path)  # pandas 3 parses decimals exactly (round trip) by default
        out = {"columns": list(df.columns), "rows": [[clean(v) for v in row] for row in df.itertuples(index=False)]}
    else:
        df = pd.read_json(path, lines=True, precise_float=True)  # the default parser is not exact
        out = {"columns": list(df.columns), "rows": [[clean(v) for v in row] for row in df.itertuples(index=False)]}
    json.dump(out, sys.stdout, default=str)  # pandas parses the times into Timestamps


main()
