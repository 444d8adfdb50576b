"""Tools for developers, not tests: `make bench`, `make screenshots`, `python -m tools.corpus`."""
