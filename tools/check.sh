#!/bin/sh
# Run the whole test suite on this machine: install what is missing,
# build, then every unit, HTTP, end-to-end, crash and browser test.
# The last line is the total: "N passed, N failed".
set -eu
cd "$(dirname "$0")/.."
sh tools/deps.sh
make -s check
