#!/usr/bin/env bash
# Runs the Python client's tests with `python3 -m unittest discover -s clients/python/tests -v`
# semantics, from any directory; exits non-zero when a test fails or none ran.
#
# - Unit tests always run (against a fake service on 127.0.0.1); the pandas/xarray ones skip
#   when those modules are missing.
# - Live tests (tests/test_live.py) run when ARGO_SERVICE_URL is set; ARGO_REFERENCE_JSON
#   defaults to ../shared/argo-gdac-sample/expected/reference.json beside the repository.
#
# Interpreter: $PYTHON when set; otherwise the first of `python3` on PATH and /usr/bin/python3
# that imports pandas and xarray (on a pyenv machine PATH's python3 does not see Debian's
# python3-pandas / python3-xarray, /usr/bin/python3 does); otherwise `python3`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

pick_python() {
  if [ -n "${PYTHON:-}" ]; then echo "$PYTHON"; return; fi
  local candidate
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import pandas, xarray' >/dev/null 2>&1; then
      echo "$candidate"; return
    fi
  done
  echo python3
}
py="$(pick_python)"

if [ -n "${ARGO_SERVICE_URL:-}" ] && [ -z "${ARGO_REFERENCE_JSON:-}" ]; then
  default_ref="$here/../../../shared/argo-gdac-sample/expected/reference.json"
  [ -f "$default_ref" ] && export ARGO_REFERENCE_JSON="$(cd "$(dirname "$default_ref")" && pwd)/reference.json"
fi

echo "python client tests: $("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])')" \
  "(pandas/xarray: $("$py" -c 'import pandas, xarray' >/dev/null 2>&1 && echo yes || echo no))," \
  "live: ${ARGO_SERVICE_URL:-off}"

# The closing "N passed, N failed, N skipped" line is the plain summary CI reads.
"$py" - "$here/tests" <<'PY'
import sys
import unittest

start = sys.argv[1]
suite = unittest.defaultTestLoader.discover(start, top_level_dir=start)
result = unittest.TextTestRunner(verbosity=2).run(suite)
failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
skipped = len(result.skipped)
print(f"python: {result.testsRun - failed - skipped} passed, {failed} failed, {skipped} skipped")
sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)
PY
