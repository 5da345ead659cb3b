"""Engines: run a measure on one pandas table or on the partitions of a Dask table."""
