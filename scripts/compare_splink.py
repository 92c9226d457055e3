#!/usr/bin/env python3
"""omni against Splink (DuckDB backend) on the same generated contact records.

Generates contacts with omni-synth (seeded, with the truth of who is who), then deduplicates the
same pandas DataFrame with

* ``omni.dedupe(frame)``: omni's defaults, nothing trained or tuned for this run;
* Splink 5 with a standard person-deduplication configuration as its tutorials build it: names
  split into first name and surname, the first phone reduced to its last ten digits, the first
  email lower-cased; Jaro-Winkler name comparisons, email, phone, city, company and birthday
  comparisons; blocking on phone, email, full name and surname + city; lambda from deterministic
  rules, u by random sampling, m by EM over two blocking passes; clusters at match probability
  0.9;

and prints wall time, pairwise precision, recall and F1 and the share of people found as exactly
one cluster, side by side. Time is the deduplication itself (frame in memory to cluster ids),
not the generation or the CSV reading.

Needs a venv with splink, duckdb and pandas and the omni module built into it::

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install "splink>=4" duckdb pandas maturin
    (cd omni-py && ../.venv-bench/bin/maturin develop --release)
    .venv-bench/bin/python scripts/compare_splink.py --people 40000

``--people 400000`` gives about one million records (as the resolution issue's figures).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def generate(people: int, seed: int, workdir: Path) -> tuple[pd.DataFrame, pd.Series]:
    """Contact records and their person ids, from the project's generator."""
    out, truth = workdir / "contacts.csv", workdir / "truth.csv"
    subprocess.run(
        ["cargo", "run", "--release", "--quiet", "-p", "omni-synth", "--", "contacts",
         "--seed", str(seed), "--people", str(people), "--out", str(out), "--truth", str(truth)],
        cwd=ROOT, check=True,
    )
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    persons = pd.read_csv(truth, dtype=str)
    assert (frame["record_id"].values == persons["record_id"].values).all()
    return frame, persons["person_id"]


def pairwise(clusters: pd.Series, persons: pd.Series) -> dict:
    """Pairwise precision, recall and F1 of a clustering against the truth, and the share of
    people whose records form exactly one cluster."""
    def pairs(sizes: pd.Series) -> int:
        return int((sizes * (sizes - 1) // 2).sum())

    frame = pd.DataFrame({"c": clusters.values, "p": persons.values})
    predicted = pairs(frame.groupby("c").size())
    true = pairs(frame.groupby("p").size())
    correct = pairs(frame.groupby(["c", "p"]).size())
    precision = correct / predicted if predicted else 1.0
    recall = correct / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # A person is found exactly when its records are one cluster holding nobody else.
    cluster_people = frame.groupby("c")["p"].nunique()
    person_clusters = frame.groupby("p")["c"].nunique()
    only = frame[frame["c"].map(cluster_people) == 1]
    exact = int(((person_clusters == 1) & person_clusters.index.isin(only["p"])).sum())
    return {
        "precision": precision, "recall": recall, "f1": f1,
        "exact_people": exact / len(person_clusters), "clusters": int(frame["c"].nunique()),
    }


def run_omni(frame: pd.DataFrame) -> pd.Series:
    import omni

    out = omni.dedupe(frame)
    return out["customer_id"]


def splink_input(frame: pd.DataFrame) -> pd.DataFrame:
    """The preprocessing a Splink tutorial does: split names, one phone, one email."""
    names = frame["name"].str.strip().str.lower().str.split()
    first_phone = frame["phones"].str.split(",").str[0].fillna("")
    digits = first_phone.str.replace(r"\D", "", regex=True).str[-10:]
    email = frame["emails"].str.split(",").str[0].fillna("").str.strip().str.lower()

    def blank(s: pd.Series) -> pd.Series:
        return s.where(s.str.len() > 0, None)

    return pd.DataFrame({
        "unique_id": frame["record_id"],
        "first_name": blank(names.str[0].fillna("")),
        "surname": blank(names.apply(lambda t: t[-1] if isinstance(t, list) and len(t) > 1 else "")),
        "phone": blank(digits.where(digits.str.len() >= 7, "")),
        "email": blank(email),
        "city": blank(frame["city"].str.strip().str.lower()),
        "company": blank(frame["company"].str.strip().str.lower()),
        "birthday": blank(frame["birthday"]),
    })


def run_splink(frame: pd.DataFrame) -> pd.Series:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    data = splink_input(frame)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.ExactMatch("phone"),
            cl.EmailComparison("email"),
            cl.ExactMatch("city"),
            cl.ExactMatch("company"),
            cl.DateOfBirthComparison("birthday", input_is_string=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("phone"),
            block_on("email"),
            block_on("first_name", "surname"),
            block_on("surname", "city"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(data), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("phone"), block_on("email")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("phone"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname"))
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9
    ).as_pandas_dataframe()
    by_id = dict(zip(clusters["unique_id"].astype(str), clusters["cluster_id"].astype(str)))
    return data["unique_id"].map(lambda i: by_id.get(i, "single-" + i))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-splink", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        frame, persons = generate(args.people, args.seed, Path(tmp))
    print(f"{len(frame)} records of {persons.nunique()} people (seed {args.seed}, omni-synth)")
    rows = []
    tools = [("omni", run_omni)] + ([] if args.skip_splink else [("splink+duckdb", run_splink)])
    for name, run in tools:
        started = time.perf_counter()
        clusters = run(frame)
        elapsed = time.perf_counter() - started
        rows.append({"tool": name, "seconds": round(elapsed, 2), **pairwise(clusters, persons)})
    table = pd.DataFrame(rows).set_index("tool")
    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 120):
        print(table)
    if len(rows) == 2:
        print(f"omni is {rows[1]['seconds'] / rows[0]['seconds']:.1f}x faster, "
              f"F1 {rows[0]['f1']:.3f} vs {rows[1]['f1']:.3f}; threads: duckdb {os.cpu_count()}, omni 1")
    return 0


if __name__ == "__main__":
    sys.exit(main())
