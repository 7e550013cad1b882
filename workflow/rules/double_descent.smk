# Figure double_descent (docs/double_descent.md): random Fourier features on digits below and
# above the interpolation threshold, and the weak-features model's closed form beside its Monte
# Carlo. Claims and plot: workflow/rules/figures.smk.


rule double_descent_rff:
    input:
        code=code("double_descent_rff.py"),
    output:
        **with_meta(table=results("double_descent", "rff.csv")),
    params:
        code=code_digest("double_descent_rff.py"),
        spec={k: v for k, v in compute("double_descent").items() if k != "weak_features"},
        data=data_params(),
    threads: 2
    resources:
        mem_mb=2000,
    log:
        logs("double_descent", "rff"),
    benchmark:
        benchmarks("double_descent", "rff")
    conda:
        ENV
    script:
        "../scripts/double_descent_rff.py"


rule double_descent_weak_features:
    input:
        code=code("double_descent_weak_features.py"),
    output:
        **with_meta(table=results("double_descent", "weak_features.csv")),
    params:
        code=code_digest("double_descent_weak_features.py"),
        spec=compute("double_descent")["weak_features"],
    log:
        logs("double_descent", "weak_features"),
    benchmark:
        benchmarks("double_descent", "weak_features")
    conda:
        ENV
    script:
        "../scripts/double_descent_weak_features.py"
