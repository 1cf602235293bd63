# shellcheck shell=sh
# shellcheck disable=SC2034,SC2154
# (Variables here are set for, or by, the script that sources this file.)
#
# lib.sh: what the end-to-end shell tests share. Sourced (POSIX sh) by
# tests/e2e_*.sh after they `cd` to the top of the tree: TAP output
# (ok, notok, diag, check), commands with captured output (run, estctl,
# http, pycheck), the binaries copied into the temporary directory, and
# estd started with a pinned clock until it says which port it listens
# on. The sourcing script sets $conf (estd.conf) and $PY before using
# the helpers that need them, and prints the plan line itself.
#
# State: $tmp (from lib_init), $n and $failed (TAP counts), $pid and
# $port (the running estd), $rc, $code and $ctype (the last command).

top=$(pwd)
ESTD=$top/build/estd
ESTCTL=$top/build/estctl
pid=
n=0
failed=0

# lib_init NAME: the temporary directory $tmp, removed on exit.
lib_init() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/estd-$1.XXXXXX") || exit 1
}

ok() {
	n=$((n + 1))
	echo "ok - $1"
}

notok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok - $1"
}

# diag FILE [LINES]: show a file as TAP diagnostics (first lines only).
diag() {
	[ -f "$1" ] || return 0
	head -n "${2:-10}" "$1" | sed 's/^/#   /'
}

# check DESCRIPTION COMMAND...: ok if the command exits 0.
check() {
	desc=$1
	shift
	if "$@" >"$tmp/check.out" 2>&1; then
		ok "$desc"
	else
		notok "$desc"
		diag "$tmp/check.out"
	fi
}

# run NAME COMMAND...: stdout to $tmp/NAME.out, stderr to $tmp/NAME.err,
# exit status in $rc.
run() {
	name=$1
	shift
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
}

estctl() {
	"$ESTCTL" -c "$conf" "$@"
}

# pycheck FILE ARGS...: run python $PYCODE with the JSON of FILE as `d`
# and ARGS as `args`; $PYCODE raises AssertionError (with a message)
# when the check fails.
pycheck() {
	f=$1
	shift
	$PY - "$f" "$@" <<EOF
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
args = sys.argv[2:]
$PYCODE
EOF
}

# http NAME CURL-ARGS...: status and content type into $code and $ctype,
# body into $tmp/NAME.body. Bounded by --max-time.
http() {
	name=$1
	shift
	out=$(curl -sS --max-time 10 -o "$tmp/$name.body" \
	    -w '%{http_code} %{content_type}' "$@" 2>"$tmp/$name.curlerr")
	code=${out%% *}
	ctype=${out#* }
}

# post_report NAME TOKEN JSON: POST /api/v1/reports to estd on $port.
post_report() {
	http "$1" -X POST -H "Authorization: Bearer $2" \
	    -H 'Content-Type: application/json' --data-binary "$3" \
	    "http://127.0.0.1:$port/api/v1/reports"
}

# write_conf: $conf, the README's estd.conf in $tmp (relative paths,
# port 0); a script appends sections of its own with cat >>"$conf".
write_conf() {
	conf=$tmp/estd.conf
	cat >"$conf" <<CONF
[server]
listen = 127.0.0.1:0
base_url = http://127.0.0.1
templates = $top/reporter-form
[storage]
database = estd.db
[smtp]
spool = outbox
[checklist]
file = $top/config/checklist.ini
CONF
}

# need_binaries: build/estd and build/estctl are there, or a failed
# check and exit.
need_binaries() {
	if [ ! -x "$ESTD" ] || [ ! -x "$ESTCTL" ]; then
		notok "build/estd and build/estctl exist (run make all)"
		exit 1
	fi
}

# copy_binaries: run copies, so a rebuild while the test runs cannot
# swap them midway; $ESTD and $ESTCTL name the copies.
copy_binaries() {
	need_binaries
	mkdir "$tmp/bin" && cp "$ESTD" "$ESTCTL" "$tmp/bin/" || exit 1
	ESTD=$tmp/bin/estd
	ESTCTL=$tmp/bin/estctl
}

# estd_start NOW: estd on $conf with the clock at NOW, output in
# $tmp/estd.out and $tmp/estd.log; sets $pid. Returns 0 with $port set
# once it says "listening on port N", 1 when it did not within 10 s.
estd_start() {
	ESTD_NOW=$1 "$ESTD" -c "$conf" >"$tmp/estd.out" 2>"$tmp/estd.log" &
	pid=$!
	wait_port
}

# wait_port: up to 10 s for estd ($pid) to log its port into $port.
wait_port() {
	port=
	i=0
	while [ "$i" -lt 100 ]; do
		port=$(sed -n 's/.*listening on port \([0-9][0-9]*\).*/\1/p' \
		    "$tmp/estd.log" | head -n 1)
		[ -n "$port" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# stop_pid PID: TERM, up to 5 s, then KILL; nothing when PID is empty.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -TERM "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# lib_cleanup: kill a running estd and remove $tmp, kept when a check
# failed and ESTD_KEEP=1 is set.
lib_cleanup() {
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=
	fi
	if [ "$failed" -ne 0 ] && [ "${ESTD_KEEP:-0}" = 1 ]; then
		echo "# kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
