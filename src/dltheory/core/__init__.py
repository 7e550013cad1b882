"""The core: the figure contract, the registry, the one job runner, and the machinery every figure
shares (artifacts and their sidecars, config checks, code digests, the cost model's conventions,
data sets and images shipped in packages). Imports nothing from the layers above it."""
