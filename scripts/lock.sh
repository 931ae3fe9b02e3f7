#!/usr/bin/env bash
# Refreshes constraints.txt: installs qadeck with its test extra into a scratch venv from the newest
# releases pyproject.toml admits (its upper bounds stay: raising one is a deliberate change), and
# pins every distribution that came in. `make upgrade` runs this, then the tests on the new pins.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"${PYTHON:-python3}" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install -q --upgrade pip
"$scratch/venv/bin/python" -m pip install -q '.[test]'
{
  echo "# The tested versions of every distribution qadeck and its tests install (make upgrade)."
  "$scratch/venv/bin/python" -m pip freeze --all --exclude-editable \
    | grep -viE '^(qadeck|pip|wheel)==' | LC_ALL=C sort -f
} > constraints.txt.new
mv constraints.txt.new constraints.txt
echo "constraints.txt: $(grep -c '==' constraints.txt) pins"
