"""Benchmarks that run the whole product as an operator would (`python -m storyboard.bench.…`)."""
