# Custom SDK container for Dataflow / Flink / Spark workers:
#   docker build -t REGISTRY/zhpile-worker:0.1.0 . && docker push REGISTRY/zhpile-worker:0.1.0
#   zhpile run ... --sdk_container_image=REGISTRY/zhpile-worker:0.1.0
# The base image's entrypoint (/opt/apache/beam/boot) starts the Beam SDK harness; zhpile
# and its models and word lists (package data) are installed into its Python.
FROM apache/beam_python3.11_sdk:2.62.0
WORKDIR /opt/zhpile
COPY pyproject.toml __init__.py README.md ./
COPY filters ./filters
COPY pipelines ./pipelines
COPY schemas ./schemas
# The last step compiles filters/kernels.py into numba's cache inside the image (else every
# worker process compiles them, ~7 s).
RUN pip install --no-cache-dir . && cd / && python -c "import zhpile.filters.langid, zhpile.pipelines.job.pipeline" \
    && python -c "from zhpile.filters import fluency, minhash, word_order; t = '中文' * 40; word_order.order_signals(t); fluency.fluency(t); minhash.MinHasher().signature(t)"
