# One command for every check. A virtualenv in .venv holds everything (created on demand).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= nb101-space.sqlite

.PHONY: run test lint bench wheel wheel-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip

# Main job on the embedded default: build the NB101 search-space DB, then query it.
run: $(BIN)/python
	$(BIN)/python -m pip install .
	$(BIN)/nasbench-lite build nb101-space -o $(DB) --force
	$(BIN)/nasbench-lite info $(DB)
	$(BIN)/nasbench-lite hash --matrix '[[0,1,1,1,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,1,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]' --ops '["input","conv1x1-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","maxpool3x3","output"]'
	$(BIN)/nasbench-lite query $(DB) --hash 28cfc7874f6d200472e1a9dcd8650aa0

# Rust unit tests, then the Python suite against a fresh install with the test extras.
test: $(BIN)/python
	cargo test --release --locked -p nasbench-lite-core
	$(BIN)/python -m pip install ".[test]"
	$(BIN)/python -m pytest -n auto

lint: $(BIN)/python
	$(BIN)/python -m pip install -e ".[test,dev]"
	cargo fmt --all --check
	cargo clippy --release --locked --all-targets -- -D warnings
	$(BIN)/ruff check python tests benchmarks
	$(BIN)/ruff format --check python tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m mypy.stubtest nasbench_lite._native

# A portable abi3 wheel tagged manylinux2014 / manylinux_2_17 x86_64: zig (the ziglang package)
# links against an old glibc whatever this machine's is; auditwheel must confirm the tag.
wheel: $(BIN)/python
	$(BIN)/python -m pip install --quiet "maturin>=1.9,<2" ziglang auditwheel
	rm -rf dist
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/maturin build --release --locked \
		--compatibility manylinux2014 --zig --out dist
	$(BIN)/auditwheel show dist/*.whl | tee dist/auditwheel.txt
	tr -d '\n' < dist/auditwheel.txt | grep -q 'platform tag: *"manylinux_2_17_x86_64"'

# The wheel in a fresh virtualenv with no cargo on PATH: install, README quick start.
wheel-check: wheel
	bash .ci/wheel_smoke.sh dist/*.whl

# Every benchmark script in a quick mode (a smoke run of each; full runs: see benchmarks/README).
bench: $(BIN)/python
	$(BIN)/python -m pip install .
	$(BIN)/python benchmarks/bench_nb101_core.py --quick
	$(BIN)/python benchmarks/bench_nb101_data.py --quick --cold-runs 1
	$(BIN)/python benchmarks/bench_nb101_search.py --quick --cold-runs 1
	$(BIN)/python benchmarks/bench_costs.py --repeat 1
	$(BIN)/python benchmarks/bench_nats.py --space tss --archs 20 --calls 200 --first-touch 5 \
		--official-archs 10 --cold-runs 1
	$(BIN)/python benchmarks/bench_nashpobench2.py --queries 1000 --cold-runs 1

clean:
	rm -rf $(VENV) target dist $(DB)
