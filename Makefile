# Two commands do all set-up on a fresh machine:
#   make run    builds the environment and runs the sample job (output in out/sample/)
#   make test   builds the environment and runs the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test bench clean flink-up flink-down spark-up spark-down

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/zhpile run sample_data/config.yaml --output out/sample --overwrite

# Two processes (pytest-xdist), a test file each at a time: the engine tests' one file keeps
# its clusters in one process while the other runs the local files.
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile

# A local Flink (JobManager + 2 TaskManagers) or Spark (master + 2 workers) on loopback,
# fetched into $$ZHPILE_ENGINES (~/.cache/zhpile/engines) the first time; prints the
# `zhpile run` options that use it. See docs/engines.md.
flink-up: $(STAMP)
	$(VENV)/bin/zhpile engine flink up

flink-down: $(STAMP)
	$(VENV)/bin/zhpile engine flink down

spark-up: $(STAMP)
	$(VENV)/bin/zhpile engine spark up

spark-down: $(STAMP)
	$(VENV)/bin/zhpile engine spark down

clean:
	rm -rf out $(VENV)
