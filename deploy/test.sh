#!/usr/bin/env bash
# The whole test suite: lint, types, contract drift, compose validation, unit and integration tests.
# Integration tests run against a real Kafka broker and FerretDB started here and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
section() { printf '\n== %s (%ss)\n' "$1" "$(( $(date +%s) - started ))"; }

section "lint (ruff)"
ruff check .
ruff format --check .

section "types (mypy --strict)"
mypy libs/gridline/src services/*/src deploy tests bench

section "event contracts (AsyncAPI drift)"
python deploy/asyncapi.py --check

section "compose file"
python deploy/compose/check.py

section "browser (Debian's chromium, for the page and docs tests)"
export GRIDLINE_CHROMIUM="$(gridline-browser)"

section "Keycloak (for the sign-in test against the compose realm)"
# Downloaded and unzipped once into the cache; its first start on a machine also keeps the dev build there.
python -m gridline.devstack.keycloak prepare >/dev/null

section "the official AsyncAPI parser (npm, for the event contracts' test)"
python -m gridline.devstack.asyncapi_parser prepare >/dev/null

section "Spectral (the OpenAPI and OWASP API Top 10 lint integrators run on our contracts)"
# Installed once with npm ci into the cache, from deploy/spectral/package-lock.json.
python -m gridline.devstack.spectral prepare >/dev/null

section "Kafka and FerretDB"
state=.local/test-stack
# Each run starts on empty servers: a broker reloading every partition of earlier runs starts slowly.
gridline-dev servers --state-dir "$state" --stop >/dev/null 2>&1 || true
rm -rf "$state"
trap 'gridline-dev servers --state-dir "$state" --stop >/dev/null 2>&1 || true' EXIT
eval "$(gridline-dev servers --state-dir "$state")"

section "versions (what this run tests against)"
python -m gridline.devstack.versions

section "tests (pytest)"
set +e
pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile -m "not fuzz" "$@"
code=$?
# The fuzzer drives four services at full speed: alone, so it does not starve timing-sensitive tests.
section "fuzzing (Schemathesis, alone)"
pytest -m fuzz "$@"
fuzz=$?
set -e
section "done"
# pytest exits 5 when it collected nothing: a failure, unless the other run found what was asked for.
if [ "$fuzz" -eq 5 ] && [ "$code" -ne 5 ]; then fuzz=0; fi
if [ "$code" -eq 5 ] && [ "$fuzz" -eq 0 ]; then code=0; fi
if [ "$code" -eq 0 ]; then code=$fuzz; fi
exit "$code"
