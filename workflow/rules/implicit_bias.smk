# Figure implicit_bias (docs/implicit_bias.md): GD, momentum and Adam on linearly separable 2-D
# data, and the hard-margin direction from a QP. Claims and plot: workflow/rules/figures.smk.


rule implicit_bias_train:
    input:
        code=code("implicit_bias_train.py"),
    output:
        **with_meta(trajectories=results("implicit_bias", "trajectories.npz")),
    params:
        code=code_digest("implicit_bias_train.py"),
        spec=compute("implicit_bias"),
    log:
        logs("implicit_bias", "train"),
    benchmark:
        benchmarks("implicit_bias", "train")
    conda:
        ENV
    script:
        "../scripts/implicit_bias_train.py"
