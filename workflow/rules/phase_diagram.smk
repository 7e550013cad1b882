# Figure phase_diagram (docs/phase_diagram.md): mean-field theory on a grid, and measured
# propagation through random networks. Claims and plot: workflow/rules/figures.smk.


rule phase_diagram_theory:
    input:
        code=code("phase_diagram_theory.py"),
    output:
        **with_meta(critical_line=results("phase_diagram", "critical_line.csv"), depth_scales=results("phase_diagram", "depth_scales.csv")),
    params:
        code=code_digest("phase_diagram_theory.py"),
        activation=compute("phase_diagram")["activation"],
        quadrature_points=compute("phase_diagram")["quadrature_points"],
        grid=compute("phase_diagram")["grid"],
        critical_line=compute("phase_diagram")["critical_line"],
        guide_sigma_b2=compute("phase_diagram")["propagation"]["sigma_b2"],
    log:
        logs("phase_diagram", "theory"),
    benchmark:
        benchmarks("phase_diagram", "theory")
    conda:
        ENV
    script:
        "../scripts/phase_diagram_theory.py"


rule phase_diagram_propagation:
    input:
        code=code("phase_diagram_propagation.py"),
    output:
        **with_meta(propagation=results("phase_diagram", "propagation.csv")),
    params:
        code=code_digest("phase_diagram_propagation.py"),
        activation=compute("phase_diagram")["activation"],
        propagation=compute("phase_diagram")["propagation"],
        device=config["device"],
    threads: 4
    resources:
        gpu=gpus(),
    log:
        logs("phase_diagram", "propagation"),
    benchmark:
        benchmarks("phase_diagram", "propagation")
    conda:
        ENV
    script:
        "../scripts/phase_diagram_propagation.py"
