# Figure lazy_training (docs/lazy_training.md): Jacot et al.'s tangent kernel on the circle (a), and
# the width, spectrum and scale sweeps (b)-(d). Claims and plot: workflow/rules/figures.smk.


rule lazy_training_circle:
    input:
        code=code("lazy_training_circle.py"),
    output:
        **with_meta(circle=results("lazy_training", "circle.npz")),
    params:
        code=code_digest("lazy_training_circle.py"),
        spec=compute("lazy_training")["circle"],
        device=config["device"],
    threads: 1
    resources:
        gpu=gpus(),
        mem_mb=2000,
    log:
        logs("lazy_training", "circle"),
    benchmark:
        benchmarks("lazy_training", "circle")
    conda:
        ENV
    script:
        "../scripts/lazy_training_circle.py"


rule lazy_training_sweeps:
    input:
        code=code("lazy_training_sweeps.py"),
    output:
        **with_meta(
            widths=results("lazy_training", "widths.csv"),
            spectrum=results("lazy_training", "spectrum.csv"),
            pl_curves=results("lazy_training", "pl_curves.csv"),
            alpha=results("lazy_training", "alpha.csv"),
        ),
    params:
        code=code_digest("lazy_training_sweeps.py"),
        spec={k: v for k, v in compute("lazy_training").items() if k != "circle"},
        device=config["device"],
    threads: 1
    resources:
        gpu=gpus(),
        mem_mb=2000,
    log:
        logs("lazy_training", "sweeps"),
    benchmark:
        benchmarks("lazy_training", "sweeps")
    conda:
        ENV
    script:
        "../scripts/lazy_training_sweeps.py"
