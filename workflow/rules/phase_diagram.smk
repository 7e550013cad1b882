# Figure phase_diagram (SPECS §1): mean-field theory on a grid, measured propagation through
# random networks, claims, plot.


# Claims and plot read small artifacts: on a cluster they run on the submitting node.
localrules:
    phase_diagram_claims,
    phase_diagram_plot,


rule phase_diagram_theory:
    input:
        code=code("phase_diagram_theory.py"),
    output:
        critical_line=results("phase_diagram", "critical_line.csv"),
        critical_line_meta=meta(results("phase_diagram", "critical_line.csv")),
        depth_scales=results("phase_diagram", "depth_scales.csv"),
        depth_scales_meta=meta(results("phase_diagram", "depth_scales.csv")),
    params:
        code=code_digest("phase_diagram_theory.py"),
        activation=config["phase_diagram"]["activation"],
        quadrature_points=config["phase_diagram"]["quadrature_points"],
        grid=config["phase_diagram"]["grid"],
        critical_line=config["phase_diagram"]["critical_line"],
        guide_sigma_b2=config["phase_diagram"]["propagation"]["sigma_b2"],
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
        propagation=results("phase_diagram", "propagation.csv"),
        propagation_meta=meta(results("phase_diagram", "propagation.csv")),
    params:
        code=code_digest("phase_diagram_propagation.py"),
        activation=config["phase_diagram"]["activation"],
        propagation=config["phase_diagram"]["propagation"],
        device=config["device"],
    threads: 4
    resources:
        gpu=1,
    log:
        logs("phase_diagram", "propagation"),
    benchmark:
        benchmarks("phase_diagram", "propagation")
    conda:
        ENV
    script:
        "../scripts/phase_diagram_propagation.py"


rule phase_diagram_claims:
    input:
        code=code("phase_diagram_claims.py"),
        critical_line=rules.phase_diagram_theory.output.critical_line,
        propagation=rules.phase_diagram_propagation.output.propagation,
    output:
        claims=results("phase_diagram", "claims.json"),
        fits=results("phase_diagram", "depth_scale_fits.csv"),
        fits_meta=meta(results("phase_diagram", "depth_scale_fits.csv")),
    params:
        code=code_digest("phase_diagram_claims.py"),
    log:
        logs("phase_diagram", "claims"),
    conda:
        ENV
    script:
        "../scripts/phase_diagram_claims.py"


rule phase_diagram_plot:
    input:
        code=code("phase_diagram_plot.py"),
        critical_line=rules.phase_diagram_theory.output.critical_line,
        depth_scales=rules.phase_diagram_theory.output.depth_scales,
        propagation=rules.phase_diagram_propagation.output.propagation,
        fits=rules.phase_diagram_claims.output.fits,
    output:
        pdf=report("figures/phase_diagram.pdf", caption="../report/phase_diagram.rst", category="phase_diagram", labels={"format": "PDF"}),
        png=report("figures/phase_diagram.png", caption="../report/phase_diagram.rst", category="phase_diagram", labels={"format": "PNG"}),
    params:
        code=code_digest("phase_diagram_plot.py"),
    log:
        logs("phase_diagram", "plot"),
    conda:
        ENV
    script:
        "../scripts/phase_diagram_plot.py"
