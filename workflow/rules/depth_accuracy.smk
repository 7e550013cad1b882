# Figure depth_accuracy (SPECS §2): trainability of tanh networks over (sigma_w2, depth), one
# batched-ensemble training job per dataset x optimizer; the 6 xi_c overlay is read from
# phase_diagram's depth-scale table (a real edge of the DAG).


wildcard_constraints:
    dataset="|".join(config["depth_accuracy"]["datasets"]),
    optimizer="|".join(config["depth_accuracy"]["optimizers"]),


# Claims and plot read small artifacts: on a cluster they run on the submitting node.
localrules:
    depth_accuracy_claims,
    depth_accuracy_plot,


rule depth_accuracy_train:
    input:
        code=code("depth_accuracy_train.py"),
    output:
        table=results("depth_accuracy", "{dataset}_{optimizer}.csv"),
        meta=meta(results("depth_accuracy", "{dataset}_{optimizer}.csv")),
    params:
        code=code_digest("depth_accuracy_train.py"),
        grid=depth_accuracy_grid(),
        lr=lambda w: config["depth_accuracy"]["lr"][w.optimizer],
        data=data_params(),
        device=config["device"],
        checkpoints=lambda w: checkpoints("depth_accuracy", f"{w.dataset}_{w.optimizer}"),
    threads: 4
    resources:
        gpu=1,
        mem_mb=4000,
    log:
        logs("depth_accuracy", "train_{dataset}_{optimizer}"),
    benchmark:
        benchmarks("depth_accuracy", "train_{dataset}_{optimizer}")
    conda:
        ENV
    script:
        "../scripts/depth_accuracy_train.py"


rule depth_accuracy_claims:
    input:
        code=code("depth_accuracy_claims.py"),
        tables=depth_accuracy_tables(),
        depth_scales=rules.phase_diagram_theory.output.depth_scales,
    output:
        claims=results("depth_accuracy", "claims.json"),
        scores=results("depth_accuracy", "trainability.csv"),
        scores_meta=meta(results("depth_accuracy", "trainability.csv")),
    params:
        code=code_digest("depth_accuracy_claims.py"),
    log:
        logs("depth_accuracy", "claims"),
    conda:
        ENV
    script:
        "../scripts/depth_accuracy_claims.py"


rule depth_accuracy_plot:
    input:
        code=code("depth_accuracy_plot.py"),
        tables=depth_accuracy_tables(),
        depth_scales=rules.phase_diagram_theory.output.depth_scales,
        scores=rules.depth_accuracy_claims.output.scores,
    output:
        pdf=report("figures/depth_accuracy.pdf", caption="../report/depth_accuracy.rst", category="depth_accuracy", labels={"format": "PDF"}),
        png=report("figures/depth_accuracy.png", caption="../report/depth_accuracy.rst", category="depth_accuracy", labels={"format": "PNG"}),
    params:
        code=code_digest("depth_accuracy_plot.py"),
    log:
        logs("depth_accuracy", "plot"),
    conda:
        ENV
    script:
        "../scripts/depth_accuracy_plot.py"
