"""Writes a report's three forms: report.json, report.md, report.html."""
from __future__ import annotations

import json

from .card import render_card
from .html import render_html
from .markdown import render_markdown


def write_report(report: dict, report_dir: str) -> None:
    from apache_beam.io.filesystems import FileSystems  # only the file I/O needs Beam

    for name, body in (("report.json", json.dumps(report, ensure_ascii=False, indent=1)),
                       ("report.md", render_markdown(report)),
                       ("report.html", render_html(report))):
        with FileSystems.create(f"{report_dir}/{name}") as f:
            f.write(body.encode("utf-8"))


def write_card(report: dict, config, output: str) -> None:
    """DIR/README.md, the dataset card (card.py)."""
    from apache_beam.io.filesystems import FileSystems

    from zhpile import __version__

    with FileSystems.create(f"{output}/README.md") as f:
        f.write(render_card(report, config, __version__).encode("utf-8"))
