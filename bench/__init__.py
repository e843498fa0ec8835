"""Benchmarks: run by hand, figures in bench/README.md."""
