# Figure lucky_weights (docs/lucky_weights.md): one batched deep teacher-student training (all
# seeds), then the lottery-ticket retraining of its sub-networks; and the two-layer
# over-parameterized students, one job per student multiplier. The node tables, claims and plot
# (workflow/rules/figures.smk) are computed from the saved correlations and weights.

# The deep students' setup, shared by the first two jobs: everything but the lottery (which only
# the second uses) and the two-layer experiment (which has its own job).
STUDENTS_SETUP = {k: v for k, v in compute("lucky_weights").items() if k not in ("lottery", "two_layer")}


rule lucky_weights_train:
    input:
        code=code("lucky_weights_train.py"),
    output:
        **with_meta(correlations=results("lucky_weights", "correlations.npz"), students=results("lucky_weights", "students.npz")),
    params:
        code=code_digest("lucky_weights_train.py"),
        setup=STUDENTS_SETUP,
        device=config["device"],
        checkpoints=checkpoints("lucky_weights", "students"),
    threads: 4
    resources:
        gpu=gpus(),
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
        **with_meta(lottery=results("lucky_weights", "lottery.csv")),
    params:
        code=code_digest("lucky_weights_lottery.py"),
        setup=STUDENTS_SETUP,
        lottery=compute("lucky_weights")["lottery"],
        device=config["device"],
        checkpoints=checkpoints("lucky_weights", "lottery"),
    threads: 4
    resources:
        gpu=gpus(),
        mem_mb=2000,
    log:
        logs("lucky_weights", "lottery"),
    benchmark:
        benchmarks("lucky_weights", "lottery")
    conda:
        ENV
    script:
        "../scripts/lucky_weights_lottery.py"


rule lucky_weights_two_layer:
    input:
        code=code("lucky_weights_two_layer.py"),
    output:
        **with_meta(two_layer=results("lucky_weights", "two_layer_x{multiplier}.npz")),
    wildcard_constraints:
        multiplier=r"\d+",
    params:
        code=code_digest("lucky_weights_two_layer.py"),
        # the multiplier is this job's wildcard: adding one to the list reruns nothing else
        setup={k: v for k, v in compute("lucky_weights")["two_layer"].items() if k != "multipliers"},
        device=config["device"],
    threads: 1  # tiny matrices: one thread is fastest, and a GPU would wait on kernel launches
    resources:
        mem_mb=1000,
    log:
        logs("lucky_weights", "two_layer_x{multiplier}"),
    benchmark:
        benchmarks("lucky_weights", "two_layer_x{multiplier}")
    conda:
        ENV
    script:
        "../scripts/lucky_weights_two_layer.py"
