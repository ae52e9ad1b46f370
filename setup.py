"""Lets Beam ship zhpile to remote workers with `--setup_file ./setup.py`; the metadata and
dependencies are in pyproject.toml."""
from setuptools import setup

setup()
