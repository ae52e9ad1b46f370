"""The job: the Beam transforms of the cleaning and mixing pipelines.

Owns: building the two pipelines (pipeline.py), the stage mechanism (stage.py) and the
per-document stages in the order a document meets them (stages.py), corpus-wide steps
through Beam's shuffle (dedup.py, decontam.py, buckets.py), statistics (stats.py) and the
output files (write.py).
May import: zhpile.pipelines.io, zhpile.pipelines.report (its counter-key contract),
zhpile.filters, zhpile.schemas; never the engines or the entry points.
"""
