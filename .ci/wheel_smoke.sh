#!/usr/bin/env bash
# Installs a built wheel into a fresh virtualenv whose PATH has no Rust toolchain, then runs the
# README quick start (build nb101-space, info, hash, query) from outside the source tree, and
# checks that the core install works without pyarrow and names the [arrow] extra.
# Usage: bash .ci/wheel_smoke.sh dist/nasbench_lite-*.whl
set -euo pipefail

wheel="$(realpath "$1")"
python="$(python3 -c 'import sys; print(sys.executable)')"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$python" -m venv "$work/venv"

# Only the new virtualenv and the system directories: no cargo, rustc or maturin.
export PATH="$work/venv/bin:/usr/bin:/bin"
unset PYTHONPATH VIRTUAL_ENV
if command -v cargo >/dev/null || command -v rustc >/dev/null; then
    echo "wheel_smoke: a Rust toolchain is still on PATH" >&2
    exit 1
fi
cd "$work"
python -m pip install --quiet --disable-pip-version-check "$wheel"
python - <<'PY'
import importlib.util, sys, nasbench_lite
assert nasbench_lite.__file__.startswith(sys.prefix), nasbench_lite.__file__
assert importlib.util.find_spec("pyarrow") is None, "the core install pulled in pyarrow"
PY

matrix='[[0,1,1,1,0,1,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,1,0,0],[0,0,0,0,0,0,1],[0,0,0,0,0,0,1],[0,0,0,0,0,0,0]]'
ops='["input","conv1x1-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","conv3x3-bn-relu","maxpool3x3","output"]'
nasbench-lite build nb101-space -o nb101-space.sqlite --quiet
# Outputs are captured before grep: `cmd | grep -q` closes the pipe at the first match, and the
# CLI then exits 141 like any Unix tool killed by SIGPIPE, which pipefail turns into a failure.
info="$(nasbench-lite info nb101-space.sqlite)"
grep -q "hash_list_matches_published *true" <<<"$info"
test "$(nasbench-lite hash --matrix "$matrix" --ops "$ops")" = 28cfc7874f6d200472e1a9dcd8650aa0
query="$(nasbench-lite query nb101-space.sqlite --hash 28cfc7874f6d200472e1a9dcd8650aa0)"
grep -q "parameters    2,694,282" <<<"$query"
nasbench-lite verify --quiet "$wheel" 2>/dev/null && { echo "wheel_smoke: verify accepted a wheel" >&2; exit 1; }

# Without the [arrow] extra: a one-line typed error naming it, nothing written.
if nasbench-lite enumerate nb101 --out cells.parquet -q 2>err.txt; then
    echo "wheel_smoke: enumerate worked without pyarrow" >&2
    exit 1
fi
grep -q "nasbench-lite\[arrow\]" err.txt && test ! -e cells.parquet

site="$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "wheel_smoke: ok ($(basename "$wheel"); core install $(du -sm "$site" | cut -f1) MB in site-packages)"
