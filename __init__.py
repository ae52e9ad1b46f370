"""zhpile: Chinese pretraining-corpus cleaning on Apache Beam.

This file is the `zhpile` package's own module: pyproject.toml maps the repository root
to `zhpile` and its folders to `zhpile.filters`, `zhpile.pipelines` and `zhpile.schemas`,
so an installed zhpile adds one top-level name to site-packages.
"""
__version__ = "0.2.0"
