"""Benchmarks: our tools beside the ones a user would otherwise pick, in one run.

Run ``make bench`` (or ``python -m benchmarks [NAME...] [--quick]``). Each module
in this folder with a ``run(quick: bool) -> list[dict]`` function is a benchmark;
the runner collects their rows into ``benchmarks/results/results.{csv,md}``.
"""
