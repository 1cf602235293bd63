#!/bin/sh
# The fuzz harnesses in the test suite: every seed and every input that
# once crashed is replayed, then each harness fuzzes briefly
# (FUZZ_SECONDS, 10 by default; `make fuzz` runs them longer). TAP lines.
cd "$(dirname "$0")/.." || exit 1
rc=0
sh fuzz/run.sh --replay || rc=1
secs=${FUZZ_SECONDS:-10}
for h in form json_report csv conf period privacy; do
	if sh fuzz/run.sh "$secs" "$h" >"build/fuzz-$h.log" 2>&1; then
		runs=$(grep -o '[0-9]* runs' "build/fuzz-$h.log" | tail -n 1)
		echo "ok - fuzz_$h: $secs s without a crash ($runs)"
	else
		echo "not ok - fuzz_$h: crashed or did not build (build/fuzz-$h.log)"
		tail -n 20 "build/fuzz-$h.log" | sed 's/^/# /'
		rc=1
	fi
done
exit "$rc"
