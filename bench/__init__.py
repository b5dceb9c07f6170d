"""Benchmarks (``make bench``): deterministic counts first, wall-clock figures as ratios."""
