#!/bin/sh
# fuzz/run.sh: build and run the libFuzzer harnesses of estd.
#
#   fuzz/run.sh [SECONDS] [NAME...]   fuzz each harness for SECONDS (60)
#   fuzz/run.sh --replay [NAME...]    run each harness once over its seed
#                                     corpus and regressions, no fuzzing
#   fuzz/run.sh --build [NAME...]     only build
#
# NAME is a harness without its fuzz_ prefix (form, json_report, csv,
# conf, period, privacy); all of them by default. Harnesses are built
# with clang, libFuzzer, ASan and UBSan into build/fuzz/. Inputs found
# while fuzzing go to build/fuzz/corpus/NAME (not the seed corpus in
# fuzz/corpus/NAME, which stays small and checked in). A crashing input
# is copied to fuzz/regressions/NAME/, where --replay picks it up from
# then on. Exit status: 0 if nothing crashed, 1 if something did, 2 if a
# harness did not build. --replay prints one TAP line per harness (and
# skips, with status 0, where there is no clang).
set -u
cd "$(dirname "$0")/.." || exit 2

CLANG=${CLANG:-clang}
B=build/fuzz
ALL="form json_report csv conf period privacy"
COMMON="log xmalloc buf"

# The daemon modules and pkg-config packages each harness needs.
modules() {
	case "$1" in
	form)		echo "form report conf period" ;;
	json_report)	echo "report conf period" ;;
	csv)		echo "csv" ;;
	conf)		echo "conf period" ;;
	period)		echo "period" ;;
	privacy)	echo "privacy" ;;
	*)		return 1 ;;
	esac
}
# Extra flags: conf.c looks for the default checklist under a directory
# of the fuzzer's own (see fuzz_conf.c).
defines() {
	case "$1" in
	conf)		echo "-DESTD_SYSCONFDIR=\"${TMPDIR:-/tmp}/estd-fuzz-sysconf\"" ;;
	*)		echo "" ;;
	esac
}
packages() {
	case "$1" in
	form|json_report) echo "jansson inih" ;;
	conf)		echo "inih" ;;
	*)		echo "" ;;
	esac
}

CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE \
    -iquote daemon -iquote fuzz -Wall -Wextra"

mode=fuzz
seconds=60
case "${1:-}" in
--replay)	mode=replay; shift ;;
--build)	mode=build; shift ;;
--help|-h)	sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
[0-9]*)		seconds=$1; shift ;;
esac
names=${*:-$ALL}

if ! command -v "$CLANG" >/dev/null 2>&1; then
	if [ "$mode" = replay ]; then
		echo "ok - fuzz replay # SKIP $CLANG not found"
		exit 0
	fi
	echo "fuzz/run.sh: $CLANG not found (set CLANG=clang-14)" >&2
	exit 2
fi

# Build build/fuzz/fuzz_NAME when it is missing or older than a source.
# Lists of files and flags below are split into words on purpose.
build() {
	name=$1
	bin=$B/fuzz_$name
	srcs="fuzz/fuzz_$name.c"
	for m in $(modules "$name") $COMMON; do
		srcs="$srcs daemon/$m.c"
	done
	pk=$(packages "$name")
	flags=$(defines "$name")
	libs=
	if [ -n "$pk" ]; then
		# shellcheck disable=SC2086
		flags="$flags $(pkg-config --cflags $pk)"
		# shellcheck disable=SC2086
		libs=$(pkg-config --libs $pk)
	fi
	# shellcheck disable=SC2086
	if [ -x "$bin" ] && [ -z "$(find $srcs daemon/*.h fuzz/*.h \
	    -newer "$bin" 2>/dev/null | head -n 1)" ]; then
		return 0
	fi
	mkdir -p "$B"
	# shellcheck disable=SC2086
	if ! $CLANG $CFLAGS $flags -o "$bin" $srcs $libs -lm \
	    >"$B/fuzz_$name.build.log" 2>&1; then
		echo "fuzz_$name: build failed:" >&2
		cat "$B/fuzz_$name.build.log" >&2
		return 1
	fi
}

# The files of a directory, for libFuzzer's command line.
files() {
	[ -d "$1" ] && find "$1" -type f ! -name '.*' | sort
}

status=0
for name in $names; do
	if ! modules "$name" >/dev/null; then
		echo "fuzz/run.sh: no harness \"$name\" (one of: $ALL)" >&2
		exit 2
	fi
	if ! build "$name"; then
		[ "$mode" = replay ] && echo "not ok - fuzz_$name: build failed"
		status=2
		continue
	fi
	bin=$B/fuzz_$name
	log=$B/fuzz_$name.log
	case "$mode" in
	build)
		echo "built $bin"
		;;
	replay)
		inputs=$(files "fuzz/corpus/$name"; files "fuzz/regressions/$name")
		n=$(printf '%s\n' "$inputs" | grep -c .)
		if [ "$n" -eq 0 ]; then
			echo "ok - fuzz_$name: no inputs"
			continue
		fi
		# shellcheck disable=SC2086
		if "$bin" -runs=1 $inputs >"$log" 2>&1; then
			echo "ok - fuzz_$name: $n inputs replayed"
		else
			echo "not ok - fuzz_$name: an input fails (see $log)"
			grep -E 'Running: |ERROR|SUMMARY|oracle failed' "$log" |
			    tail -n 5 | sed 's/^/# /'
			[ "$status" -eq 0 ] && status=1
		fi
		;;
	fuzz)
		work=$B/corpus/$name
		art=$B/artifacts/$name
		mkdir -p "$work" "$art" "fuzz/regressions/$name"
		dict=
		[ -f "fuzz/$name.dict" ] && dict="-dict=fuzz/$name.dict"
		seeds=
		for d in "fuzz/corpus/$name" "fuzz/regressions/$name"; do
			[ -n "$(files "$d")" ] && seeds="$seeds $d"
		done
		start=$(date +%s)
		# shellcheck disable=SC2086
		"$bin" -max_total_time="$seconds" -timeout=10 \
		    -rss_limit_mb=2048 -print_final_stats=1 \
		    -artifact_prefix="$art/" $dict "$work" $seeds \
		    >"$log" 2>&1
		rc=$?
		elapsed=$(( $(date +%s) - start ))
		[ "$elapsed" -gt 0 ] || elapsed=1
		runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
		[ -n "$runs" ] || runs=$(sed -n \
		    's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' \
		    "$log" | tail -n 1)
		[ -n "$runs" ] || runs=0
		cov=$(grep -E '^#[0-9]+' "$log" | tail -n 1 |
		    sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/p')
		crashes=0
		for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* \
		    "$art"/oom-*; do
			[ -f "$f" ] || continue
			crashes=$((crashes + 1))
			# A regression that still fails is not copied twice.
			dup=
			for r in $(files "fuzz/regressions/$name"); do
				cmp -s "$f" "$r" && dup=$r
			done
			if [ -n "$dup" ]; then
				echo "    still failing: $dup"
				rm -f "$f"
			else
				mv "$f" "fuzz/regressions/$name/"
			fi
		done
		if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
			crashes=1	# died without an artifact: see the log
		fi
		printf 'fuzz_%-12s %5ss %10s runs %8s exec/s  %s  crashes: %s\n' \
		    "$name" "$elapsed" "$runs" "$((runs / elapsed))" \
		    "${cov:-cov ?}" "$crashes"
		if [ "$crashes" -ne 0 ]; then
			grep -E 'ERROR|SUMMARY|oracle failed|Test unit written' \
			    "$log" | head -n 6 | sed 's/^/    /'
			echo "    log: $log; input(s) in fuzz/regressions/$name/"
			status=1
		fi
		;;
	esac
done
exit "$status"
