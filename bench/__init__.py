"""The national-scale benchmark: `make bench` (docs/performance.md).

`bench.generate` writes a synthetic organisation in the import format; `bench.run` imports it
into PostgreSQL and measures the import, the compliance computation, the pages under load and
the .xlsx export against the targets.
"""
