"""Fit r2svm: per dataset, C by cross-validation, then the R2SVM (its seeds and ablations) and the
linear / RBF SVM references; accuracy after every layer, and decision regions of the 2-D problems."""

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.svm import SVC

from dltheory.artifacts import Timer, log_to, provenance, write_arrays, write_table
from dltheory.data import load_dataset
from dltheory.r2svm import R2SVM, decision_regions, layer_accuracies, select_C, synthetic

spec, data = snakemake.params.spec, snakemake.params.data


def fit_r2svm(dataset, splits, C, projection, seed):
    model = R2SVM(n_layers=spec["layers"], beta=spec["beta"], C=C, projection=projection, random_state=seed).fit(*splits[:2])
    method = "r2svm" if projection == "random" else f"r2svm_{projection}"
    return model, [{"dataset": dataset, "method": method, "seed": seed, **row} for row in layer_accuracies(model, *splits)]


with log_to(snakemake.log[0]) as log:
    rows, regions, sources = [], {}, {}
    with Timer() as t:
        seeds = range(spec["seed"], spec["seed"] + spec["seeds"])
        for dataset in spec["datasets"] + spec["synthetic"]["datasets"]:
            if dataset in spec["synthetic"]["datasets"]:
                syn = spec["synthetic"]
                x, y = synthetic(dataset, 2 * syn["n_samples"], syn["noise"][dataset], data["split_seed"])
                splits = (x[: syn["n_samples"]], y[: syn["n_samples"]], x[syn["n_samples"] :], y[syn["n_samples"] :])
                sources[dataset] = f"{syn['n_samples']} train / {syn['n_samples']} test, noise {syn['noise'][dataset]}"
            else:
                d = load_dataset(
                    dataset,
                    data_dir=snakemake.config["data"]["dir"],
                    download_missing=snakemake.config["data"]["download"],
                    seed=data["split_seed"],
                    test_fraction=data["test_fraction"],
                    n_train=spec["n_train"],
                    n_test=spec["n_test"],
                )
                splits, sources[dataset] = (d.x_train, d.y_train, d.x_test, d.y_test), d.source
            C = select_C(splits[0], splits[1], spec["C_grid"], spec["cv_folds"])
            log(
                f"{dataset}: {len(splits[1])} train / {len(splits[3])} test samples, {splits[0].shape[1]} features; C = {C} by {spec['cv_folds']}-fold CV"
            )
            # The random projection's seeds, then the deterministic ablations once (their seed changes nothing).
            jobs = [("random", s) for s in seeds] + [(p, spec["seed"]) for p in spec["ablations"]]
            fits = Parallel(n_jobs=snakemake.threads)(delayed(fit_r2svm)(dataset, splits, C, p, s) for p, s in jobs)
            for (projection, seed), (model, table) in zip(jobs, fits):
                rows += [{**r, "C": C} for r in table]
                log(
                    f"  {table[0]['method']} seed {seed}: test accuracy layer 1 {table[0]['test_acc']:.4f}, "
                    f"best {max(r['test_acc'] for r in table):.4f}, last {table[-1]['test_acc']:.4f}"
                )
                if dataset in spec["synthetic"]["datasets"] and projection == "random" and seed == spec["seed"]:
                    xs, ys, labels = decision_regions(model, splits[0], spec["synthetic"]["layers_shown"], spec["synthetic"]["resolution"])
                    regions.update(
                        {
                            f"{dataset}_xs": xs,
                            f"{dataset}_ys": ys,
                            f"{dataset}_labels": labels,
                            f"{dataset}_x_train": splits[0],
                            f"{dataset}_y_train": splits[1],
                        }
                    )
            rbf = SVC(kernel="rbf", C=spec["rbf_C"], gamma="scale").fit(*splits[:2])
            for method, model in (("linear_svm", fits[0][0].svms_[0]), ("rbf_svm", rbf)):
                rows.append(
                    {
                        "dataset": dataset,
                        "method": method,
                        "seed": spec["seed"],
                        "layer": np.nan,
                        "train_acc": model.score(*splits[:2]),
                        "test_acc": model.score(*splits[2:]),
                        "C": C if method == "linear_svm" else spec["rbf_C"],
                    }
                )
            log(f"  references: linear SVM {rows[-2]['test_acc']:.4f}, RBF SVM {rows[-1]['test_acc']:.4f}")
    table = pd.DataFrame(rows)
    log(f"fitted in {t.seconds:.1f} s")
    regions["layers_shown"] = np.array(spec["synthetic"]["layers_shown"])
    meta = provenance({**spec, **data}, datasets=sources, wall_time_s=t.seconds)
    write_table(table, snakemake.output.table, meta)
    write_arrays(regions, snakemake.output.boundaries, meta)
