"""Measure double_descent (b): the weak-features model's risk by Monte Carlo beside its closed form."""

import numpy as np
import pandas as pd

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.science.random_features import weak_features_monte_carlo, weak_features_risk

wf = snakemake.params.spec
with log_to(snakemake.log[0]) as log:
    ps = np.arange(1, wf["d"] + 1)
    args = (wf["n"], wf["d"], wf["w_norm2"], wf["noise_var"])
    with Timer() as t:
        mean, se = weak_features_monte_carlo(ps, *args, wf["trials"], wf["seed"])
    table = pd.DataFrame(
        {"p": ps, "closed_form": weak_features_risk(ps, *args), "monte_carlo": mean, "monte_carlo_se": se, "trials": wf["trials"]}
    )
    log(
        f"{len(ps)} values of p, {wf['trials']} trials each, in {t.seconds:.1f} s\n"
        + table.iloc[:: max(1, len(ps) // 20)].round(4).to_string()
    )
    write_table(table, snakemake.output.table, provenance(dict(wf), wall_time_s=t.seconds))
