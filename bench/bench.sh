#!/bin/sh
# bench: measure estd on this machine and write BENCHMARKS.md (run by
# "make bench", which builds first; this script builds nothing).
#
# A fresh instance in a temporary directory with 1000 reporters in 50
# areas, estd on its real clock (reports go to the current period), then
# in one run, with wrk (2 threads, 10 s each, --latency):
#   GET /healthz at 16 and 64 connections,
#   durable POST /api/v1/reports at 16 and 64 connections (bench/post.lua
#   rotates through the 1000 tokens),
# then estd's VmRSS with 512 idle keep-alive connections open (each has
# done one GET /healthz) and after they are closed. The goals are those
# of the reliability notes (§9 T1-T3, T10). wrk runs on the same cores as
# estd, so the numbers are a floor for the daemon alone. Last,
# bench/analysis.sh measures the analysis and the picture at scale and
# adds its own section.
#
# Environment: BENCH_DURATION (default 10s), BENCH_REPORTERS (1000),
# BENCH_OUT (default BENCHMARKS.md at the repository root), BENCH_STRICT=1
# to exit 1 when a goal is missed. Exit 1 when a measurement could not be
# made. estd is stopped and the temporary directory removed on exit.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
PY=/usr/bin/python3
ESTD=$top/build/estd
ESTCTL=$top/build/estctl
DURATION=${BENCH_DURATION:-10s}
REPORTERS=${BENCH_REPORTERS:-1000}
AREAS=50
OUT=${BENCH_OUT:-$top/BENCHMARKS.md}
OPEN_CONNS=512

say() {
	echo "bench: $*" >&2
}

die() {
	say "$*"
	exit 1
}

for f in "$ESTD" "$ESTCTL"; do
	[ -x "$f" ] || die "$f is missing: run make all (or make bench)"
done
command -v wrk >/dev/null 2>&1 || die "wrk is not installed"
[ -x "$PY" ] || die "$PY is missing"

# On the build directory's disk, not a tmpfs: commits must really fsync.
mkdir -p build
tmp=$(mktemp -d "$top/build/bench.XXXXXX")
pid=
workers=
cleanup() {
	for w in $workers; do
		kill "$w" 2>/dev/null || true
	done
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Copies, so a rebuild during the run cannot swap them midway.
cp "$ESTD" "$ESTCTL" "$tmp/"
ESTD=$tmp/estd
ESTCTL=$tmp/estctl

start=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
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

estctl() {
	"$ESTCTL" -c "$conf" "$@"
}

say "setting up $REPORTERS reporters in $AREAS areas"
estctl init >/dev/null 2>"$tmp/init.err" || die "estctl init: $(cat "$tmp/init.err")"
a=1
while [ $a -le $AREAS ]; do
	estctl area add "omr-$a" "Område $a" >/dev/null ||
	    die "estctl area add omr-$a failed"
	a=$((a + 1))
done

# add_person I: reporter I, "TOKEN AREA" appended to $tmp/tokens.$2.
add_person() {
	area=omr-$(( ($1 - 1) % AREAS + 1 ))
	link=$(estctl person add --name "Rapportör $1" \
	    --email "r$1@bench.example" --org Bench --role reporter \
	    --area "$area" 2>>"$tmp/people.err" | tail -n 1)
	echo "${link##*/} $area" >>"$tmp/tokens.$2"
}

# add_people FIRST: reporters FIRST, FIRST + 4, ... up to REPORTERS.
add_people() {
	i=$1
	while [ "$i" -le "$REPORTERS" ]; do
		add_person "$i" "$1"
		i=$((i + 4))
	done
}

# The first reporter alone: it makes the key file, which concurrent first
# callers would race to create. Then four at a time (estctl is safe to
# run concurrently).
add_person 1 1
for w in 2 3 4 5; do
	add_people $w &
	workers="$workers $!"
done
for w in $workers; do
	wait "$w" || die "estctl person add failed: $(head -n 3 "$tmp/people.err")"
done
workers=
cat "$tmp"/tokens.[1-5] >"$tmp/tokens.txt"
got=$(grep -c '^[A-Za-z0-9_-]\{16,\} omr-' "$tmp/tokens.txt" || true)
[ "$got" -eq "$REPORTERS" ] ||
    die "expected $REPORTERS tokens, got $got: $(head -n 3 "$tmp/people.err")"
say "set-up took $(( $(date +%s) - start )) s"

"$ESTD" -c "$conf" >"$tmp/estd.out" 2>"$tmp/estd.log" &
pid=$!
port=
i=0
while [ $i -lt 100 ]; do
	port=$(sed -n 's/.*listening on port \([0-9][0-9]*\).*/\1/p' "$tmp/estd.log" | head -n 1)
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
[ -n "$port" ] || die "estd did not start: $(tail -n 3 "$tmp/estd.log")"
url=http://127.0.0.1:$port
curl -sf --max-time 5 "$url/healthz" >/dev/null || die "GET /healthz failed"

rss() {
	sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" /proc/"$pid"/status
}
rss_start=$(rss VmRSS)

# CPU time estd has used so far, in clock ticks (utime + stime).
cputicks() {
	sed 's/.*) //' /proc/"$pid"/stat | awk '{ print $12 + $13 }'
}

# Busy CPU ticks of the whole machine so far (all but idle and iowait).
busyticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

# wrk NAME CONNECTIONS URL [ARGS]: output in $tmp/NAME.txt; in
# $tmp/NAME.cpu the CPU ticks estd used during the run and those the
# whole machine used (estd, wrk and anything else running).
bench() {
	name=$1
	c=$2
	shift 2
	say "wrk $name: $c connections, $DURATION"
	t0=$(cputicks)
	m0=$(busyticks)
	wrk -t2 -c"$c" -d"$DURATION" --timeout 5s --latency "$@" \
	    >"$tmp/$name.txt" 2>&1 || die "wrk $name failed: $(tail -n 3 "$tmp/$name.txt")"
	kill -0 "$pid" 2>/dev/null || die "estd died during $name"
	echo $(( $(cputicks) - t0 )) $(( $(busyticks) - m0 )) >"$tmp/$name.cpu"
	sleep 1
}
bench get16 16 "$url/healthz"
bench get64 64 "$url/healthz"
bench post16 16 -s bench/post.lua "$url/api/v1/reports" -- "$tmp/tokens.txt"
bench post64 64 -s bench/post.lua "$url/api/v1/reports" -- "$tmp/tokens.txt"

# 512 idle keep-alive connections, each after one GET /healthz.
say "RSS with $OPEN_CONNS open connections"
$PY - "$port" "$pid" "$OPEN_CONNS" >"$tmp/rss.txt" 2>&1 <<'EOF' || die "open connections: $(tail -n 3 "$tmp/rss.txt")"
import socket, sys, time
port, pid, want = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def status():
    d = {}
    with open("/proc/%s/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            d[k] = v.split()[0] if v.split() else ""
    return d

socks, failed = [], 0
req = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
deadline = time.monotonic() + 30
for i in range(want):
    if time.monotonic() > deadline:
        break
    s = None
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(req)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                raise OSError("closed")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise OSError(head.split(b"\r\n")[0].decode())
        length = 0
        for line in head.split(b"\r\n")[1:]:
            k, _, v = line.partition(b":")
            if k.strip().lower() == b"content-length":
                length = int(v)
        while len(body) < length:
            chunk = s.recv(4096)
            if not chunk:
                raise OSError("closed")
            body += chunk
        socks.append(s)
    except OSError as e:
        failed += 1
        if s is not None:
            s.close()
        if failed == 1:
            print("first failure at connection %d: %s" % (i + 1, e),
                  file=sys.stderr)
time.sleep(1.0)
# Every connection must still be open (not closed by the server).
alive = 0
for s in socks:
    s.setblocking(False)
    try:
        alive += 0 if s.recv(1) == b"" else 1
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
st = status()
print("open", len(socks), "alive", alive, "failed", failed)
print("rss_open", st["VmRSS"], "threads_open", st["Threads"])
for s in socks:
    s.close()
time.sleep(2.0)
st = status()
print("rss_idle", st["VmRSS"], "threads_idle", st["Threads"],
      "hwm", st["VmHWM"])
EOF

# Stop estd and compare the stored revisions with the answered POSTs.
kill -TERM "$pid"
i=0
while [ $i -lt 100 ]; do
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/"$pid"/status 2>/dev/null) || state=
	[ -z "$state" ] || [ "$state" = Z ] && break
	sleep 0.1
	i=$((i + 1))
done
stop_rc=0
if [ -z "$state" ] || [ "$state" = Z ]; then
	wait "$pid" || stop_rc=$?
else
	stop_rc=timeout
fi
pid=
rows=$($PY -c '
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
print(db.execute("SELECT count(*) FROM report_revisions").fetchone()[0])
' "$tmp/estd.db") || rows=unknown

export B_TMP="$tmp" B_OUT="$OUT" B_DURATION="$DURATION" \
    B_REPORTERS="$REPORTERS" B_RSS_START="$rss_start" B_ROWS="$rows" \
    B_STOP_RC="$stop_rc" B_CONNS="$OPEN_CONNS" B_AREAS="$AREAS" \
    B_STRICT="${BENCH_STRICT:-0}" B_LOAD_START="$load_start"
B_TICKS=$(getconf CLK_TCK)
export B_TICKS
B_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
B_NPROC=$(nproc)
B_CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
B_MEM=$(sed -n 's/^MemTotal:[[:space:]]*//p' /proc/meminfo)
B_KERNEL=$(uname -srm)
B_OS=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
B_ESTD=$("$ESTD" --version 2>&1 | head -n 1)
B_WRK=$(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2)
B_FS=$(df -T "$tmp" 2>/dev/null | awk 'NR == 2 { print $2 }')
B_SQLITE=$($PY -c 'import sqlite3; print(sqlite3.sqlite_version)')
export B_DATE B_NPROC B_CPU B_MEM B_KERNEL B_OS B_ESTD B_WRK B_FS B_SQLITE
$PY - <<'EOF'
import os, re, sys

E = os.environ
tmp = E["B_TMP"]


def wrk(name):
    """Requests/s, answered 2xx/s, p50/p99 in ms, errors of one wrk run."""
    text = open(os.path.join(tmp, name + ".txt")).read()
    r = {"text": text}
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", text)
    total, secs = int(m.group(1)), float(m.group(2))
    secs *= {"ms": 0.001, "s": 1, "m": 60}[m.group(3)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    r["non2xx"] = int(non2xx.group(1)) if non2xx else 0
    r["total"] = total
    r["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    r["ok_rps"] = r["rps"] * (total - r["non2xx"]) / max(total, 1)
    ticks, machine = (int(x) for x in
                      open(os.path.join(tmp, name + ".cpu")).read().split())
    hz = float(E["B_TICKS"])
    r["cpu_us"] = ticks / hz * 1e6 / max(total, 1)
    r["estd_cores"] = ticks / hz / secs
    r["other_cores"] = max(0, machine - ticks) / hz / secs
    for pct in ("50", "75", "90", "99"):
        m = re.search(r"^\s+%s(?:\.0+)?%%\s+([\d.]+)(us|ms|s)\s*$" % pct,
                      text, re.M)
        v = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
        r["p" + pct] = v
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                  r"timeout (\d+)", text)
    r["errors"] = sum(int(x) for x in m.groups()) if m else 0
    r["error_text"] = m.group(0) if m else ""
    return r


runs = {}
for name in ("get16", "get64", "post16", "post64"):
    runs[name] = wrk(name)
rss = {}
for line in open(os.path.join(tmp, "rss.txt")):
    f = line.split()
    for k, v in zip(f[0::2], f[1::2]):
        rss[k] = v
mib = lambda kb: int(kb) / 1024.0
conns = int(E["B_CONNS"])
rss_open = mib(rss["rss_open"])
opened = int(rss["open"])
alive = int(rss["alive"])

problems = []
for name, r in runs.items():
    if r["non2xx"]:
        problems.append("%s: %d answers were not 2xx" % (name, r["non2xx"]))
    if r["errors"]:
        problems.append("%s: %s" % (name, r["error_text"]))
if opened < conns or alive < opened:
    problems.append("only %d of %d connections could be opened (%d still "
                    "open after 1 s)" % (opened, conns, alive))
posted = runs["post16"]["total"] - runs["post16"]["non2xx"] + \
    runs["post64"]["total"] - runs["post64"]["non2xx"]
rows = E["B_ROWS"]
if not rows.isdigit() or int(rows) < posted:
    problems.append("report_revisions holds %s rows but %d POSTs were "
                    "answered 2xx" % (rows, posted))
if E["B_STOP_RC"] != "0":
    problems.append("estd did not exit 0 on SIGTERM within 10 s (%s)"
                    % E["B_STOP_RC"])

g64, p64 = runs["get64"], runs["post64"]
g16, p16 = runs["get16"], runs["post16"]
goals = [
    ("Durable submits at 64 connections", "≥ 5,000 /s",
     "%.0f /s" % p64["ok_rps"], p64["ok_rps"] >= 5000,
     "%.2f× the goal" % (p64["ok_rps"] / 5000)),
    ("Durable submit p99 at 64 connections", "≤ 15 ms",
     "%.2f ms" % p64["p99"], p64["p99"] <= 15,
     "%.2f× the limit" % (p64["p99"] / 15)),
    ("POST rate vs GET rate of this run (64 connections)", "≥ 0.75",
     "%.0f / %.0f" % (p64["ok_rps"], g64["ok_rps"]),
     p64["ok_rps"] >= 0.75 * g64["ok_rps"],
     "%.2f" % (p64["ok_rps"] / g64["ok_rps"])),
    ("RSS of estd at %d open connections" % conns, "≤ 64 MiB",
     "%.1f MiB" % rss_open, rss_open <= 64 and opened >= conns,
     "%.2f× the limit" % (rss_open / 64)),
]

def row(name, label, conns_, r):
    return "| %s | %s | %d | %.0f | %.0f | %.2f | %.2f | %.0f | %.2f | %.2f | %d |" % (
        label, name, conns_, r["rps"], r["ok_rps"], r["p50"], r["p99"],
        r["cpu_us"], r["estd_cores"], r["other_cores"],
        r["non2xx"] + r["errors"])

load1 = float(E["B_LOAD_START"].split()[0])
busy = ""
if load1 > 0.5 * int(E["B_NPROC"]):
    busy = (" — other work ran on the machine at or just before the start; "
            "see the \"cores used by the rest\" column (wrk alone takes "
            "about half a core to one core)")
lines = [
    "# estd benchmarks",
    "",
    "Measured %s with `make bench` (bench/bench.sh: builds nothing itself; "
    "run it from the repository root)." % E["B_DATE"],
    "",
    "## Machine",
    "",
    "* CPU: %s, `nproc` = %s" % (E["B_CPU"] or "unknown", E["B_NPROC"]),
    "* Memory: %s; kernel: %s; %s" % (E["B_MEM"], E["B_KERNEL"], E["B_OS"]),
    "* Database on %s (a real disk: every commit is an fsync); SQLite %s; "
    "%s; %s" % (E["B_FS"] or "unknown", E["B_SQLITE"], E["B_ESTD"],
                E["B_WRK"]),
    "* Load average (1, 5, 15 min) when the run started: %s%s"
    % (E["B_LOAD_START"], busy),
    "",
    "**wrk runs on the same %s cores as estd** (2 wrk threads), so the "
    "load generator takes CPU time from the daemon: the rates below are a "
    "floor for estd alone." % E["B_NPROC"],
    "",
    "## Set-up",
    "",
    "A fresh database with %s reporters in %s areas (`estctl person add`), "
    "default configuration (listen on 127.0.0.1, `max_connections` 512, "
    "WAL with `synchronous=FULL`), estd on its real clock. Each wrk run: "
    "2 threads, %s, `--latency`, keep-alive. POST runs use "
    "`bench/post.lua`, which sends every request for the next of the %s "
    "reporters (its token and area; the period left out, so the current "
    "one) with four ratings, a count, a place and a note. A 2xx answer is "
    "sent only after the report's COMMIT, so every answered POST is a "
    "durable submit." % (E["B_REPORTERS"], E["B_AREAS"], E["B_DURATION"],
                         E["B_REPORTERS"]),
    "",
    "## Results",
    "",
    "| request | path | connections | requests/s | 2xx/s | p50 ms | p99 ms | estd CPU µs/request | cores used by estd | cores used by the rest | errors |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    row("/healthz", "GET", 16, g16),
    row("/healthz", "GET", 64, g64),
    row("/api/v1/reports", "POST (durable)", 16, p16),
    row("/api/v1/reports", "POST (durable)", 64, p64),
    "",
    "Errors: non-2xx answers plus wrk socket errors. estd CPU µs/request: "
    "the daemon's user + system CPU time during the run divided by the "
    "requests answered. Cores used: CPU time over wall time during the run, "
    "for estd and for everything else on the machine (wrk and any other "
    "work; %s cores in all). After the runs "
    "`report_revisions` held %s rows for %d answered POSTs (a few more rows "
    "than answers is expected: requests committed as wrk stopped)."
    % (E["B_NPROC"], rows, posted),
    "",
    "| memory (VmRSS of estd) | MiB |",
    "|---|---:|",
    "| after start-up, before any load | %.1f |" % mib(E["B_RSS_START"]),
    "| %d idle keep-alive connections open (%d threads) | %.1f |"
    % (opened, int(rss["threads_open"]), rss_open),
    "| after closing them (%s threads) | %.1f |"
    % (rss["threads_idle"], mib(rss["rss_idle"])),
    "",
    "## Goals",
    "",
    "From the reliability notes §9 (T1, T2, T3, T10).",
    "",
    "| goal | target | measured | result | ratio |",
    "|---|---|---|---|---|",
]
for name, target, got, ok, ratio in goals:
    lines.append("| %s | %s | %s | %s | %s |"
                 % (name, target, got, "pass" if ok else "**FAIL**", ratio))
lines += ["",
          "Percentiles are wrk's (coordinated omission not corrected). "
          "Re-run `make bench` on the production server: its disk's fsync "
          "time sets the cost of a durable commit.", ""]
if problems:
    lines += ["## Problems seen in this run", ""]
    lines += ["* " + p for p in problems]
    lines.append("")
with open(E["B_OUT"], "w", encoding="utf-8") as f:
    f.write("\n".join(lines))

print()
for l in lines[lines.index("## Results"):]:
    print(l)
failed_goals = [g[0] for g in goals if not g[3]]
if problems:
    sys.exit(1)
if failed_goals and E["B_STRICT"] == "1":
    sys.exit(1)
EOF

# The analysis and the picture at scale: a section of its own, added to
# the file just written.
BENCH_OUT="$OUT" sh bench/analysis.sh || die "bench/analysis.sh failed"
say "done in $(( $(date +%s) - start )) s; results in $OUT"
