#!/bin/sh
# make lint: formatting (.clang-format), static analysis (cppcheck) and
# the shell scripts (shellcheck, when installed). Exit 1 on any finding.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0
files=$(ls daemon/*.c daemon/*.h tests/*.c tests/*.h)

# shellcheck disable=SC2086
if ! clang-format --dry-run --Werror $files 2>/tmp/estd-lint.$$; then
	head -40 /tmp/estd-lint.$$
	echo "lint: formatting differs; run: clang-format -i daemon/*.[ch] tests/*.[ch]"
	rc=1
fi
rm -f /tmp/estd-lint.$$

# shellcheck disable=SC2086
if ! cppcheck --quiet --error-exitcode=1 --std=c11 --inline-suppr \
    --enable=warning,portability,performance \
    --suppress=missingIncludeSystem --suppress=ctuuninitvar \
    -D_GNU_SOURCE -Idaemon --suppress=unknownMacro \
    daemon/*.c; then
	echo "lint: cppcheck found problems"
	rc=1
fi

if command -v shellcheck >/dev/null 2>&1; then
	if ! shellcheck -S warning -s sh tools/*.sh tests/*.sh bench/*.sh \
	    .ci/run; then
		echo "lint: shellcheck found problems"
		rc=1
	fi
fi
[ "$rc" -eq 0 ] && echo "lint: clean"
exit "$rc"
