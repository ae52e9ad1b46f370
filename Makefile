# Two commands do all set-up on a fresh machine:
#   make run    builds the environment and runs the sample job (output in out/sample/)
#   make test   builds the environment and runs the test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/zhpile run sample_data/config.yaml --output out/sample --overwrite

test: $(STAMP)
	$(PY) -m pytest

clean:
	rm -rf out $(VENV)
