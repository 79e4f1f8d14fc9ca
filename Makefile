# Two commands matter (README.md): `make run` and `make test`.
# The interpreter of the virtual environment: the system's own python3 where
# it is 3.11 or newer and can make one, else the first python3 on the PATH
# (`make PYTHON=...` chooses another). Debian's and Ubuntu's python3 are built
# with profile-guided and link-time optimisation, as the image's
# python:3.11-slim is (docker/Dockerfile); one compiled without them, as
# pyenv does unless told, took 30 % longer to import the application on
# the CI machine (docs/performance.md).
SYSTEM_PYTHON := /usr/bin/python3
PYTHON ?= $(shell $(SYSTEM_PYTHON) -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo $(SYSTEM_PYTHON) || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PLUGINS := plugins/jarva plugins/hasselby-vallingby plugins/tyreso
STAMP := $(VENV)/.installed

.PHONY: setup run test unit e2e browser bench clean

$(STAMP): pyproject.toml constraints.txt $(foreach p,$(PLUGINS),$(p)/pyproject.toml)
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]' $(foreach p,$(PLUGINS),-e $(p))
	touch $(STAMP)

# The project's own sources are compiled here, each time (a few hundredths of
# a second when nothing changed): where PYTHONDONTWRITEBYTECODE is set, as in
# containers and on the CI machine, every process would compile them again,
# 0.3 s of every command's and server's start.
setup: $(STAMP)
	$(BIN)/python -m compileall -q core web plugins bench

# Debian's chromium is used where present; elsewhere Playwright fetches its own.
browser: setup
	@if [ -x /usr/bin/chromium ] || [ -n "$$IOP_CHROMIUM" ]; then echo "browser: $${IOP_CHROMIUM:-/usr/bin/chromium}"; \
	else $(BIN)/playwright install chromium; fi

# The mail sender runs beside the server and stops with it; without
# IOP_SMTP_URL it writes each message to var/mail/ (README.md).
run: setup
	$(BIN)/iop db upgrade
	$(BIN)/iop demo
	$(BIN)/iop mail send --loop & sender=$$!; trap "kill $$sender" EXIT INT TERM; $(BIN)/iop serve

# Two workers (pytest-xdist): each has its own databases, server and browser.
test: setup browser
	$(BIN)/lint-imports
	$(BIN)/pytest -n 2

unit: setup
	$(BIN)/pytest tests plugins

e2e: setup browser
	$(BIN)/pytest e2e

# The benchmarks (bench/run.py, bench/pdf.py, docs/performance.md): minutes, not part of `make test`.
bench: setup
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.pdf

clean:
	rm -rf $(VENV) var
