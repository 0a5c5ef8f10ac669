"""Synthetic reports with known truth, for tests and benchmarks: not part of the parser library.

`synthetic.corpus` renders reports in the text layouts, run together and as web pages;
`synthetic.realistic` adds the traits of real files (spec §15); `synthetic.fictional_bodies` writes the
sample reports of two fictional bodies that `make run` ships in data/raw/ (`make samples`).
"""
