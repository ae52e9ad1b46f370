"""The report: statistics of a run -> report.json, report.md, report.html and the dataset
card (README.md with its configs).

Owns: the statistics' keys and the report's tables (build.py), the renderings
(markdown.py, html.py, card.py) and writing them (files.py).
May import: zhpile.filters, zhpile.schemas, the standard library; never io, the job, the
engines or the entry points (it reads statistics, not documents).
"""
