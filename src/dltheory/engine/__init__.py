"""The training engine: ensembles of networks held in one parameter buffer and trained as one,
shared by several figures. Imports only from :mod:`dltheory.core`."""
