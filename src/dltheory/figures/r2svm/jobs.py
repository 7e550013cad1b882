"""r2svm's compute job: per dataset, C (and for the copied 2-D inputs β) by cross-validation of the
R2SVM, then the R2SVM (its seeds and ablations) and the linear / RBF SVM references; accuracy after
every layer, the cross-validation curves, and the decision regions of the 2-D problems."""

from __future__ import annotations

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.svm import SVC

from dltheory.core.runner import JobRun
from dltheory.science.coates import features
from dltheory.science.recursive_svm import R2SVM, best_point, cv_curves, decision_regions, layer_accuracies, linear_svm, synthetic_splits


def _real_splits(job: JobRun, dataset: str):
    spec = job.params
    d = job.dataset(dataset, spec["n_train"], spec["n_test"])
    x_train, x_test, source = d.x_train, d.x_test, d.source
    if spec["features"] == "coates":
        x_train, x_test, _ = features(dataset, x_train, x_test, seed=spec["seed"], **spec["coates"])
        source += f"; Coates features, codebook {spec['coates']['codebook']}: {x_train.shape[1]} dimensions"
        job.log(f"{dataset}: {source}")
    return (x_train, d.y_train, x_test, d.y_test), source


def _synthetic_splits(syn: dict, dataset: str, split_seed: int):
    n, noise = syn["n_per_class"][dataset], syn["noise"][dataset]
    splits = synthetic_splits(dataset, n, noise, split_seed, syn["turns"])  # the test set: a fresh draw, the training statistics
    return splits, f"{2 * n} train / {2 * n} test, noise {noise}, standardized with the training statistics"


def _fit_one(dataset, variant, splits, params, projection, seed, layers):
    model = R2SVM(n_layers=layers, projection=projection, random_state=seed, **params).fit(*splits[:2])
    method = "r2svm" if projection == "random" else f"r2svm_{projection}"
    return model, [
        {"dataset": dataset, "variant": variant, "method": method, "seed": seed, **params, **row}
        for row in layer_accuracies(model, *splits)
    ]


def _variants(spec: dict, dataset: str):
    """(variant, CV grid, fixed parameters, depth, CV depth, ablations) of one dataset. The 2-D
    problems are cheap: their CV runs at the full depth."""
    syn = spec["synthetic"]
    if dataset not in syn["datasets"]:
        return [("as_written", {"C": spec["C_grid"]}, {"beta": spec["beta"]}, spec["layers"], spec["cv_layers"], spec["ablations"])]
    return [
        ("as_written", {"C": syn["C_grid"]}, {"beta": spec["beta"]}, syn["layers"], syn["layers"], []),
        ("copies", {"C": syn["C_grid"], "beta": syn["beta_grid"]}, {"copies": syn["copies"]}, syn["layers"], syn["layers"], []),
    ]


def fit(job: JobRun) -> dict:
    spec, threads, log = job.params, job.threads, job.log
    syn = spec["synthetic"]
    seeds = job.seeds(spec)
    rows, cv_rows, regions, sources = [], [], {}, {}
    for dataset in spec["datasets"] + syn["datasets"]:
        if dataset in syn["datasets"]:
            splits, sources[dataset] = _synthetic_splits(syn, dataset, job.data_split["split_seed"])
            regions |= {f"{dataset}_x_train": splits[0], f"{dataset}_y_train": splits[1]}
        else:
            splits, sources[dataset] = _real_splits(job, dataset)
        log(f"{dataset}: {len(splits[1])} train / {len(splits[3])} test samples, {splits[0].shape[1]} features")
        for variant, grid, fixed, layers, cv_layers, ablations in _variants(spec, dataset):
            cv_layers = min(cv_layers, layers)
            cv = cv_curves(splits[0], splits[1], grid, spec["cv_folds"], cv_layers, seed=spec["seed"], n_jobs=threads, **fixed)
            cv_rows.append(cv.assign(dataset=dataset, variant=variant))
            params = {**fixed, **best_point(cv, cv_layers)}
            if variant == "as_written":
                C_linear = best_point(cv, 1)["C"]  # the linear SVM reference: the C its own CV picks (layer 1)
            log(f"  {variant}: {params} by {spec['cv_folds']}-fold CV of the {cv_layers}-layer R2SVM")
            # longest first, so that the two workers finish together
            fits = [(p, spec["seed"], spec["ablation_layers"]) for p in ablations] + [("random", s, layers) for s in seeds]
            fitted = Parallel(n_jobs=threads)(delayed(_fit_one)(dataset, variant, splits, params, *f) for f in fits)
            fitted = fitted[len(ablations) :] + fitted[: len(ablations)]  # the random projection's first
            for model, table in fitted:
                rows += table
                log(
                    f"  {table[0]['method']} seed {table[0]['seed']}: test accuracy layer 1 {table[0]['test_acc']:.4f}, last {table[-1]['test_acc']:.4f}"
                )
            if dataset in syn["datasets"]:
                # the grid depends on the training points only: the same xs, ys for both variants
                xs, ys, labels = decision_regions(fitted[0][0], splits[0], syn["layers_shown"], syn["resolution"])
                regions |= {f"{dataset}_{variant}_labels": labels, f"{dataset}_xs": xs, f"{dataset}_ys": ys}
        for method, model in (("linear_svm", linear_svm(C_linear)), ("rbf_svm", SVC(kernel="rbf", C=spec["rbf_C"], gamma="scale"))):
            model.fit(*splits[:2])
            rows.append(
                {
                    "dataset": dataset,
                    "variant": "reference",
                    "method": method,
                    "seed": spec["seed"],
                    "C": C_linear if method == "linear_svm" else spec["rbf_C"],
                    "layer": np.nan,
                    "train_acc": model.score(*splits[:2]),
                    "test_acc": model.score(*splits[2:]),
                }
            )
        log(f"  references: linear SVM {rows[-2]['test_acc']:.4f}, RBF SVM {rows[-1]['test_acc']:.4f}")
    regions["layers_shown"] = np.array(syn["layers_shown"])
    job.meta["datasets"] = sources
    return {"table": pd.DataFrame(rows), "cv": pd.concat(cv_rows, ignore_index=True), "boundaries": regions}
