# Figure shattered_gradients (docs/shattered_gradients.md): the gradient dy/dx of scalar-input
# networks over a grid, feedforward (with the theorem checks) and resnets in two jobs. Claims and
# plot: workflow/rules/figures.smk.

# Each job's settings, so that a resnet depth never reruns the feedforward job and back.
FEEDFORWARD_SPEC = {k: v for k, v in compute("shattered_gradients").items() if k not in ("resnet_depth", "betas")}
RESNET_SPEC = {k: v for k, v in compute("shattered_gradients").items() if k not in ("feedforward_depth", "theorem", "noise_seed")}


rule shattered_gradients_feedforward:
    input:
        code=code("shattered_gradients_feedforward.py"),
    output:
        **with_meta(
            lag1=results("shattered_gradients", "lag1_feedforward.csv"),
            transfer=results("shattered_gradients", "transfer.csv"),
            panels=results("shattered_gradients", "panels_feedforward.npz"),
        ),
    params:
        code=code_digest("shattered_gradients_feedforward.py"),
        spec=FEEDFORWARD_SPEC,
    threads: 1
    log:
        logs("shattered_gradients", "feedforward"),
    benchmark:
        benchmarks("shattered_gradients", "feedforward")
    conda:
        ENV
    script:
        "../scripts/shattered_gradients_feedforward.py"


rule shattered_gradients_resnet:
    input:
        code=code("shattered_gradients_resnet.py"),
    output:
        **with_meta(
            lag1=results("shattered_gradients", "lag1_resnet.csv"),
            panels=results("shattered_gradients", "panels_resnet.npz"),
        ),
    params:
        code=code_digest("shattered_gradients_resnet.py"),
        spec=RESNET_SPEC,
    threads: 1
    log:
        logs("shattered_gradients", "resnet"),
    benchmark:
        benchmarks("shattered_gradients", "resnet")
    conda:
        ENV
    script:
        "../scripts/shattered_gradients_resnet.py"
