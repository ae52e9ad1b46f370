"""Writes a report's three forms: report.json, report.md, report.html."""
from __future__ import annotations

import json

from .report_html import render_html
from .report_markdown import render_markdown


def write_report(report: dict, report_dir: str) -> None:
    from apache_beam.io.filesystems import FileSystems  # only the file I/O needs Beam

    for name, body in (("report.json", json.dumps(report, ensure_ascii=False, indent=1)),
                       ("report.md", render_markdown(report)),
                       ("report.html", render_html(report))):
        with FileSystems.create(f"{report_dir}/{name}") as f:
            f.write(body.encode("utf-8"))
