# Figure depth_accuracy (docs/depth_accuracy.md): trainability of tanh networks over
# (sigma_w2, depth), one batched-ensemble training job per dataset x optimizer. Its claims and
# plot (workflow/rules/figures.smk) also read phase_diagram's depth scales for the 6 xi_c overlay.


wildcard_constraints:
    dataset="|".join(compute("depth_accuracy")["datasets"]),
    optimizer="|".join(compute("depth_accuracy")["optimizers"]),


rule depth_accuracy_train:
    input:
        code=code("depth_accuracy_train.py"),
    output:
        **with_meta(table=results("depth_accuracy", "{dataset}_{optimizer}.csv")),
    params:
        code=code_digest("depth_accuracy_train.py"),
        # The grid every panel shares; dataset and optimizer are this job's wildcards, lr its optimizer's.
        grid={k: v for k, v in compute("depth_accuracy").items() if k not in ("datasets", "optimizers", "lr")},
        lr=lambda w: compute("depth_accuracy")["lr"][w.optimizer],
        data=data_params(),
        device=config["device"],
        checkpoints=lambda w: checkpoints("depth_accuracy", f"{w.dataset}_{w.optimizer}"),
    threads: 4
    resources:
        gpu=gpus(),
        mem_mb=4000,
    log:
        logs("depth_accuracy", "train_{dataset}_{optimizer}"),
    benchmark:
        benchmarks("depth_accuracy", "train_{dataset}_{optimizer}")
    conda:
        ENV
    script:
        "../scripts/depth_accuracy_train.py"
