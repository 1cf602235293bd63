#!/bin/sh
# Run every test: the Check suites in build/tests, then (unless --unit)
# the end-to-end scripts tests/e2e_*.{sh,py} and tests/browser. Each
# script prints TAP lines ("ok - ...", "not ok - ..."). The last line is
# the total: "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
unit_only=0
[ "${1:-}" = "--unit" ] && unit_only=1
log=build/test-logs
mkdir -p "$log"
passed=0
failed=0
failures=""

for t in build/tests/check_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60} "$t" >"$log/$name.log" 2>&1
	rc=$?
	line=$(grep -E '^[0-9]+%: Checks: ' "$log/$name.log" | tail -n 1)
	n=$(echo "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
	f=$(echo "$line" | sed -n 's/.*Failures: \([0-9]*\).*/\1/p')
	e=$(echo "$line" | sed -n 's/.*Errors: \([0-9]*\).*/\1/p')
	if [ -z "$n" ]; then
		n=1; f=1; e=0
	fi
	bad=$((f + e))
	[ "$rc" -ne 0 ] && [ "$bad" -eq 0 ] && bad=1
	passed=$((passed + n - bad))
	failed=$((failed + bad))
	if [ "$bad" -ne 0 ]; then
		failures="$failures $name"
		echo "FAIL $name"; grep -E ':[EFS]:' "$log/$name.log" | head -20
	else
		echo "ok   $name ($n checks)"
	fi
done

if [ "$unit_only" -eq 0 ]; then
	for s in tests/e2e_*.sh tests/e2e_*.py tests/browser/run.sh; do
		[ -f "$s" ] || continue
		name=$(basename "$s")
		case "$s" in
		*.py) cmd="python3 $s" ;;
		*) cmd="sh $s" ;;
		esac
		$cmd >"$log/$name.log" 2>&1
		rc=$?
		p=$(grep -c '^ok ' "$log/$name.log")
		f=$(grep -c '^not ok ' "$log/$name.log")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		[ "$p" -eq 0 ] && [ "$f" -eq 0 ] && f=1
		passed=$((passed + p))
		failed=$((failed + f))
		if [ "$f" -ne 0 ]; then
			failures="$failures $name"
			echo "FAIL $name"; grep -E '^not ok|^#' "$log/$name.log" | head -30
			tail -n 15 "$log/$name.log"
		else
			echo "ok   $name ($p checks)"
		fi
	done
fi

[ -n "$failures" ] && echo "failed:$failures (logs in $log)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
