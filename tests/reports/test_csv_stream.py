"""A large table streamed to CSV in chunks gives the same bytes as the whole table at once."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from lca.reports.safe import csv_text, write_csv


@pytest.mark.parametrize("chunk", [1, 7, 1000, 10**6])
def test_chunks_give_the_same_bytes(chunk):
    rows = 3001
    frame = pd.DataFrame({
        "scenario": [f"=s{i}" if i % 5 == 0 else f"s{i}" for i in range(rows)],
        "total": np.arange(rows) / 3.0,
        "unit": pd.array(["kg CO2e", "@L", None] * (rows // 3) + ["MJ"] * (rows % 3), dtype="string"),
    })  # fmt: skip
    out = io.StringIO()
    write_csv(frame, out, chunk=chunk)
    assert out.getvalue() == csv_text(frame)
    assert "'=s0" in out.getvalue() and "'@L" in out.getvalue()  # the formula guard holds in every chunk


def test_an_empty_table_has_its_header():
    out = io.StringIO()
    write_csv(pd.DataFrame({"a": pd.Series([], dtype=object)}), out)
    assert out.getvalue() == "a\n"
