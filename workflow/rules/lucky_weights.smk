# Figure lucky_weights (SPECS §3): one batched teacher-student training (all seeds), then the
# lottery-ticket retraining of its sub-networks; the node tables and claims are computed from the
# saved correlations and weights, and the plot reads only artifacts.


# Claims and plot read small artifacts: on a cluster they run on the submitting node.
localrules:
    lucky_weights_claims,
    lucky_weights_plot,


rule lucky_weights_train:
    input:
        code=code("lucky_weights_train.py"),
    output:
        correlations=results("lucky_weights", "correlations.npz"),
        correlations_meta=meta(results("lucky_weights", "correlations.npz")),
        students=results("lucky_weights", "students.npz"),
        students_meta=meta(results("lucky_weights", "students.npz")),
    params:
        code=code_digest("lucky_weights_train.py"),
        setup=section_params("lucky_weights", "lottery", "checkpoint_every"),
        device=config["device"],
        checkpoints=checkpoints("lucky_weights", "students"),
    threads: 4
    resources:
        gpu=1,
        mem_mb=4000,
    log:
        logs("lucky_weights", "train"),
    benchmark:
        benchmarks("lucky_weights", "train")
    conda:
        ENV
    script:
        "../scripts/lucky_weights_train.py"


rule lucky_weights_lottery:
    input:
        code=code("lucky_weights_lottery.py"),
        students=rules.lucky_weights_train.output.students,
    output:
        lottery=results("lucky_weights", "lottery.csv"),
        lottery_meta=meta(results("lucky_weights", "lottery.csv")),
    params:
        code=code_digest("lucky_weights_lottery.py"),
        setup=section_params("lucky_weights", "lottery", "checkpoint_every"),
        lottery=config["lucky_weights"]["lottery"],
        device=config["device"],
        checkpoints=checkpoints("lucky_weights", "lottery"),
    threads: 4
    resources:
        gpu=1,
        mem_mb=2000,
    log:
        logs("lucky_weights", "lottery"),
    benchmark:
        benchmarks("lucky_weights", "lottery")
    conda:
        ENV
    script:
        "../scripts/lucky_weights_lottery.py"


rule lucky_weights_claims:
    input:
        code=code("lucky_weights_claims.py"),
        correlations=rules.lucky_weights_train.output.correlations,
        students=rules.lucky_weights_train.output.students,
        lottery=rules.lucky_weights_lottery.output.lottery,
    output:
        claims=results("lucky_weights", "claims.json"),
        nodes=results("lucky_weights", "nodes.csv"),
        nodes_meta=meta(results("lucky_weights", "nodes.csv")),
        winners=results("lucky_weights", "winners.csv"),
        winners_meta=meta(results("lucky_weights", "winners.csv")),
    params:
        code=code_digest("lucky_weights_claims.py"),
    log:
        logs("lucky_weights", "claims"),
    conda:
        ENV
    script:
        "../scripts/lucky_weights_claims.py"


rule lucky_weights_plot:
    input:
        code=code("lucky_weights_plot.py"),
        correlations=rules.lucky_weights_train.output.correlations,
        nodes=rules.lucky_weights_claims.output.nodes,
        winners=rules.lucky_weights_claims.output.winners,
        lottery=rules.lucky_weights_lottery.output.lottery,
    output:
        pdf=report("figures/lucky_weights.pdf", caption="../report/lucky_weights.rst", category="lucky_weights", labels={"format": "PDF"}),
        png=report("figures/lucky_weights.png", caption="../report/lucky_weights.rst", category="lucky_weights", labels={"format": "PNG"}),
    params:
        code=code_digest("lucky_weights_plot.py"),
    log:
        logs("lucky_weights", "plot"),
    conda:
        ENV
    script:
        "../scripts/lucky_weights_plot.py"
