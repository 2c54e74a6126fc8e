"""The whole pipeline at size: the real archives of ../shared/archives and the benchmarks."""
