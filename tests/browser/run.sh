#!/bin/sh
# The browser test of the reporter's form (reporter-form.test.mjs): installs
# playwright-core and axe-core from package-lock.json when node_modules is
# missing or older than the lock file, then runs the tests against
# build/estd and build/estctl with Debian's /usr/bin/chromium. Prints TAP;
# exits non-zero when a test fails. Screenshots go to build/screenshots/.
#
# Usage, from anywhere: sh tests/browser/run.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
cd "$here" || exit 1

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
	log=$(mktemp) || exit 1
	if ! npm ci --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
		echo "not ok 1 - npm ci in tests/browser"
		sed 's/^/# /' "$log"
		rm -f "$log"
		exit 1
	fi
	rm -f "$log"
	# npm ci may keep the directory's old time stamp.
	touch node_modules
fi

exec node --test --test-reporter=./tap.mjs reporter-form.test.mjs
