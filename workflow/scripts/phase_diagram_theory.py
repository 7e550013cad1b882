"""Mean-field theory tables of phase_diagram: critical line and depth scales on the grid."""

from dltheory.core.artifacts import Timer, log_to, provenance, write_table
from dltheory.science.meanfield import critical_line_table, depth_scales_table

p = snakemake.params
with log_to(snakemake.log[0]) as log:
    with Timer() as t:
        line = critical_line_table(p.activation, p.critical_line["sigma_b2_max"], p.critical_line["num"], [p.guide_sigma_b2])
    log(f"critical line: {len(line)} points in {t.seconds:.2f}s")
    write_table(line, snakemake.output.critical_line, provenance(dict(p.items()), wall_time_s=t.seconds))
    with Timer() as t:
        scales = depth_scales_table(p.activation, p.grid, p.quadrature_points)
    log(f"depth scales: {len(scales)} grid points in {t.seconds:.2f}s")
    write_table(scales, snakemake.output.depth_scales, provenance(dict(p.items()), wall_time_s=t.seconds))
