"""zhpile: Chinese pretraining-corpus cleaning on Apache Beam.

This file is the `zhpile` package's own module: pyproject.toml maps the repository root
to `zhpile` and its folders to `zhpile.filters`, `zhpile.pipelines` and `zhpile.schemas`,
so an installed zhpile adds one top-level name to site-packages.
"""
__version__ = "0.2.0"


def explain(text_or_html, config=None, title=None, url=None) -> dict:
    """Every signal, the decision, the reason and the threshold that decided, for one text
    or HTML page (see zhpile.pipelines.api.explain)."""
    from .pipelines.api import explain as _explain

    return _explain(text_or_html, config, title, url)


def run(config, output: str, overwrite: bool = False, **beam_options) -> dict:
    """A whole job, as `zhpile run` (see zhpile.pipelines.api.run); returns the report."""
    from .pipelines.api import run as _run

    return _run(config, output, overwrite, **beam_options)
