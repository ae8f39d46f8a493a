# Two commands for a fresh clone: `make run` (set up + start) and `make test` (set up + test).
# `make install` is the set-up alone: CPU torch (GPU=1 for the default index's CUDA build), then
# Souvenir with every extra, editable, in .venv. Quiet: one line per step, pip's whole output in .venv/install.log.
PYTHON ?= python3
VENV ?= .venv
GPU ?=
TORCH_VERSION ?= 2.13.0
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
PYTEST_ARGS ?=
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOG := $(VENV)/install.log
PIP := $(BIN)/python -m pip --disable-pip-version-check --no-input
QUIET = >>$(LOG) 2>&1 || { echo "   failed, the end of $(LOG):"; tail -n 15 $(LOG); exit 1; }

.PHONY: install run chat test lint clean

install: $(STAMP)

$(STAMP): pyproject.toml scripts/install_torch.py
	@echo "[1/4] Python: $$($(PYTHON) --version 2>&1) -> $(VENV)"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "   Souvenir needs Python 3.11 or newer (set PYTHON=python3.12, say)")'
	@$(PYTHON) -m venv $(VENV)
	@: > $(LOG)
	@echo "[2/4] pip: latest"
	@$(PIP) install --upgrade pip $(QUIET)
	@echo "[3/4] torch $(TORCH_VERSION): $(if $(GPU),GPU build on request,CPU build)"
	@$(BIN)/python scripts/install_torch.py --version $(TORCH_VERSION) --cpu-index $(TORCH_CPU_INDEX) \
		--log $(LOG) $(if $(GPU),--gpu)
	@echo "[4/4] souvenir and its dependencies (editable, extras: all)"
	@$(PIP) install -e '.[all]' 'torch==$(TORCH_VERSION)' $(QUIET)
	@touch $(STAMP)
	@echo "ready: $(BIN)/souvenir (make run, make test, or . $(BIN)/activate)"

run: install
	@$(BIN)/souvenir run

chat: install
	@$(BIN)/souvenir chat

# .ci/run reads pytest's own exit status from this file (make itself exits 2 on any failure).
test: install
	@rm -f $(VENV)/.pytest-status
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; echo $$status > $(VENV)/.pytest-status; exit $$status

lint: install
	@$(BIN)/ruff check .

clean:
	rm -rf $(VENV)
