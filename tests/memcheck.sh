#!/bin/sh
# make memcheck: every Check suite under valgrind, in one process each
# (CK_FORK=no) so leaks are seen. Exit 1 on any error or leak.
set -u
cd "$(dirname "$0")/.." || exit 1
mkdir -p build/test-logs
rc=0
for t in build/tests/check_*; do
	name=$(basename "$t")
	if CK_FORK=no CK_DEFAULT_TIMEOUT=600 valgrind -q --error-exitcode=99 \
	    --leak-check=full --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect \
	    "$t" >"build/test-logs/$name.memcheck" 2>&1; then
		echo "ok   $name"
	else
		echo "FAIL $name (build/test-logs/$name.memcheck)"
		grep -E '==[0-9]+==' "build/test-logs/$name.memcheck" | head -20
		rc=1
	fi
done
[ "$rc" -eq 0 ] && echo "memcheck: clean"
exit "$rc"
