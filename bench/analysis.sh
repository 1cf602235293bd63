#!/bin/sh
# analysis: measure the analysis and the picture at scale and write the
# section "Analysis and picture at scale" of BENCHMARKS.md (run by
# bench/bench.sh after its HTTP runs; may be run alone, from anywhere).
#
# A fresh database in a temporary directory with 100 areas, 1000
# reporters (10 an area, made with estctl person add, four at a time)
# and five years of weekly history for the 13 indicators of the shipped
# checklist, generated as CSV and loaded with estctl import: each week
# every reporter reports with probability 0.5, most ratings 0, ten areas
# with recurring problems. estctl digest of the last week then judges
# the whole history into flags, as the daemon would have. Then, each
# BENCH_RUNS times (default 9): estctl analysis for a quarter (--json)
# and for a year (--json), and estctl picture for one week (--json),
# output to /dev/null, with their wall time, CPU time and peak RSS
# (wait4). Goals: quarter <= 100 ms, year <= 300 ms, picture <= 20 ms
# (median wall time), peak RSS <= 64 MiB.
#
# Environment: BENCH_RUNS (9), BENCH_PARTICIPATION (0.5), BENCH_OUT
# (BENCHMARKS.md at the repository root), BENCH_STRICT=1 to exit 1 when
# a goal is missed, BENCH_KEEP=1 to keep the temporary directory (its
# estd.conf and estd.db) for profiling. Exit 1 when a measurement could
# not be made.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
PY=/usr/bin/python3
ESTCTL=$top/build/estctl
OUT=${BENCH_OUT:-$top/BENCHMARKS.md}
RUNS=${BENCH_RUNS:-9}
PART=${BENCH_PARTICIPATION:-0.5}
AREAS=100
PER_AREA=10
YEARS=5

say() {
	echo "bench/analysis: $*" >&2
}

die() {
	say "$*"
	exit 1
}

[ -x "$ESTCTL" ] || die "$ESTCTL is missing: run make all (or make bench)"
[ -x "$PY" ] || die "$PY is missing"

mkdir -p build
tmp=$(mktemp -d "$top/build/bench-analysis.XXXXXX")
workers=
cleanup() {
	for w in $workers; do
		kill "$w" 2>/dev/null || true
	done
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

cp "$ESTCTL" "$tmp/"
ESTCTL=$tmp/estctl
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

start=$(date +%s)
say "setting up $AREAS areas and $((AREAS * PER_AREA)) reporters"
estctl init >/dev/null 2>"$tmp/init.err" || die "estctl init: $(cat "$tmp/init.err")"
a=1
while [ $a -le $AREAS ]; do
	estctl area add "omr-$a" "Område $a" >/dev/null ||
	    die "estctl area add omr-$a failed"
	a=$((a + 1))
done

# add_people FIRST: reporters FIRST, FIRST + 4, ..., each in area
# (I - 1) / PER_AREA + 1.
add_people() {
	i=$1
	n=$((AREAS * PER_AREA))
	while [ "$i" -le "$n" ]; do
		estctl person add --name "Rapportör $i" \
		    --email "r$i@bench.example" --org Bench --role reporter \
		    --area "omr-$(( (i - 1) / PER_AREA + 1 ))" \
		    >/dev/null 2>>"$tmp/people.err" || return 1
		i=$((i + 4))
	done
}
# estctl init made the key file, so concurrent adds do not race for it.
for w in 1 2 3 4; do
	add_people $w &
	workers="$workers $!"
done
for w in $workers; do
	wait "$w" || die "estctl person add failed: $(head -n 3 "$tmp/people.err")"
done
workers=
people_s=$(( $(date +%s) - start ))

say "generating $YEARS years of weekly history"
gen_start=$(date +%s)
# Five ISO years of 52 weeks, 2021-W01 to 2025-W52: the newest quarter
# and year are 2025-Q4 and 2025, each with the span before it and the
# same span a year earlier.
$PY - "$tmp/history.csv" "$AREAS" "$PER_AREA" "$YEARS" "$PART" <<'EOF' || die "generating the history failed"
import csv, datetime, random, sys
out, areas, per, years, part = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
keys = ("skadegorelse klotter nedskrapning brand samlingar narkotika vald "
        "anstalld inbrott trafik otrygg_plats tillhall rykten").split()
rng = random.Random(47)
calm = (0,) * 16 + (1,) * 3 + (2,)
hot = (0,) * 8 + (1,) * 5 + (2,) * 4 + (3,) * 3
day = datetime.date(2021, 1, 4)            # Monday of 2021-W01
rows = 0
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["period", "area", "reporter_email", "indicator", "rating",
                "count", "note"])
    for week in range(52 * years):
        y, n, _ = day.isocalendar()
        label = "%d-W%02d" % (y, n)
        for a in range(1, areas + 1):
            # Ten areas with recurring problems, in waves of a few months.
            wave = a <= 10 and (week // 9 + a) % 3 == 0
            for r in range(per):
                if rng.random() >= part:
                    continue
                who = "r%d@bench.example" % ((a - 1) * per + r + 1)
                if not wave and rng.random() < 0.3:
                    ratings = [0] * len(keys)    # inget att rapportera
                else:
                    ratings = [rng.choice(hot if wave else calm)
                               for _ in keys]
                for k, v in zip(keys, ratings):
                    w.writerow([label, "omr-%d" % a, who, k, v, "", ""])
                    rows += 1
        day += datetime.timedelta(weeks=1)
print(rows)
EOF
gen_s=$(( $(date +%s) - gen_start ))

say "importing"
imp_start=$(date +%s)
estctl import "$tmp/history.csv" >"$tmp/import.out" 2>&1 ||
    die "estctl import failed: $(tail -n 3 "$tmp/import.out")"
imp_s=$(( $(date +%s) - imp_start ))
say "judging the history into flags (estctl digest 2025-W52)"
dig_start=$(date +%s)
estctl digest 2025-W52 >"$tmp/digest.out" 2>&1 ||
    die "estctl digest failed: $(tail -n 3 "$tmp/digest.out")"
dig_s=$(( $(date +%s) - dig_start ))
rm -f "$tmp/history.csv"

say "measuring ($RUNS runs each)"
export B_TMP="$tmp" B_OUT="$OUT" B_RUNS="$RUNS" B_CONF="$conf" \
    B_ESTCTL="$ESTCTL" B_AREAS="$AREAS" B_PEOPLE="$((AREAS * PER_AREA))" \
    B_YEARS="$YEARS" B_PART="$PART" B_PEOPLE_S="$people_s" \
    B_GEN_S="$gen_s" B_IMP_S="$imp_s" B_DIG_S="$dig_s" \
    B_STRICT="${BENCH_STRICT:-0}"
B_DATE=$(date -u '+%Y-%m-%d %H:%M UTC')
B_NPROC=$(nproc)
B_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
export B_DATE B_NPROC B_LOAD
$PY - <<'EOF'
import os, re, statistics, subprocess, sys, time

E = os.environ
tmp, conf, estctl = E["B_TMP"], E["B_CONF"], E["B_ESTCTL"]
runs = int(E["B_RUNS"])


def run(args):
    """Wall ms, CPU ms (user + system) and peak RSS KiB of one estctl."""
    t0 = time.perf_counter()
    p = subprocess.Popen([estctl, "-c", conf] + args,
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t0) * 1000
    err = p.stderr.read().decode("utf-8", "replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit("estctl %s: exit %d: %s" % (" ".join(args), p.returncode,
                                              err.strip()))
    return wall, (ru.ru_utime + ru.ru_stime) * 1000, ru.ru_maxrss


def measure(args):
    run(args)                           # warm the page cache
    walls, cpus, rss = [], [], []
    for _ in range(runs):
        w, c, r = run(args)
        walls.append(w)
        cpus.append(c)
        rss.append(r)
    return {"median": statistics.median(walls), "min": min(walls),
            "max": max(walls), "cpu": statistics.median(cpus),
            "rss": max(rss) / 1024.0}


cases = [
    ("estctl analysis 2025-Q4 --json", ["analysis", "2025-Q4", "--json"],
     "quarter", 100),
    ("estctl analysis 2025 --json", ["analysis", "2025", "--json"],
     "year", 300),
    ("estctl picture 2025-W50 --json", ["picture", "2025-W50", "--json"],
     "one week's picture", 20),
]
res = [(cmd, measure(args), what, goal) for cmd, args, what, goal in cases]

imported = open(os.path.join(tmp, "import.out")).read().strip()
imported = imported.splitlines()[-1] if imported else "?"
digest = open(os.path.join(tmp, "digest.out")).read().strip()
digest = digest.splitlines()[-1] if digest else "?"
size = os.path.getsize(os.path.join(tmp, "estd.db")) / 1048576.0
busy = ""
if float(E["B_LOAD"].split()[0]) > 0.5 * int(E["B_NPROC"]):
    busy = (" — other work ran on the machine; the CPU time column is "
            "the steadier figure")

lines = [
    "## Analysis and picture at scale",
    "",
    "Measured %s with `bench/analysis.sh` (run by `make bench` after the "
    "HTTP runs; it may be run alone). Load average (1, 5, 15 min) at the "
    "start: %s on %s cores%s." % (E["B_DATE"], E["B_LOAD"], E["B_NPROC"],
                                  busy),
    "",
    "Set-up: a fresh database with %s areas and %s reporters (10 an area, "
    "`estctl person add`, %s s), %s years of weekly history for the 13 "
    "indicators of the shipped checklist generated as CSV (%s s; every "
    "reporter reports a week with probability %s, most ratings 0, ten "
    "areas with recurring problems) and loaded with `estctl import` "
    "(%s s: %s), then `estctl digest 2025-W52` to judge the history into "
    "flags as the daemon would have (%s s: %s). Database %.0f MiB."
    % (E["B_AREAS"], E["B_PEOPLE"], E["B_PEOPLE_S"], E["B_YEARS"],
       E["B_GEN_S"], E["B_PART"], E["B_IMP_S"], imported, E["B_DIG_S"],
       digest, size),
    "",
    "Each command %d times (after one warm-up run), output to /dev/null; "
    "wall time from start to exit of the whole process (configuration, "
    "database open, reads, compiling, JSON), CPU time user + system, "
    "peak RSS from wait4." % runs,
    "",
    "| command | median ms | min ms | max ms | CPU ms (median) | peak RSS MiB |",
    "|---|---:|---:|---:|---:|---:|",
]
for cmd, r, what, goal in res:
    lines.append("| `%s` | %.1f | %.1f | %.1f | %.1f | %.1f |"
                 % (cmd, r["median"], r["min"], r["max"], r["cpu"],
                    r["rss"]))
lines += ["", "| goal | target | measured | result |", "|---|---|---|---|"]
failed = []
for cmd, r, what, goal in res:
    ok = r["median"] <= goal
    if not ok:
        failed.append(what)
    lines.append("| %s | ≤ %d ms | %.1f ms (CPU %.1f ms) | %s |"
                 % (what.capitalize(), goal, r["median"], r["cpu"],
                    "pass" if ok else "**FAIL**"))
peak = max(r["rss"] for _, r, _, _ in res)
lines.append("| Peak RSS of any of them | ≤ 64 MiB | %.1f MiB | %s |"
             % (peak, "pass" if peak <= 64 else "**FAIL**"))
if peak > 64:
    failed.append("peak RSS")
lines += [
    "",
    "The scores are kept per (area, indicator, period) as reports are "
    "saved, so an analysis reads about 1,300 score rows a week instead of "
    "the ratings behind them. What is left of the picture's time is "
    "mostly starting the process (estctl loads about 40 shared "
    "libraries: about 10 ms before any work) and reading the week's "
    "reports and the people for coverage.",
    "",
    "To repeat: `bench/analysis.sh` (BENCH_RUNS, BENCH_PARTICIPATION, "
    "BENCH_OUT, BENCH_STRICT=1, BENCH_KEEP=1).", ""]
section = "\n".join(lines)

out = E["B_OUT"]
old = open(out, encoding="utf-8").read() if os.path.exists(out) else \
    "# estd benchmarks\n"
m = re.search(r"^## Analysis and picture at scale\n.*?(?=^## |\Z)", old,
              re.M | re.S)
if m:
    new = old[:m.start()] + section + "\n" + old[m.end():]
else:
    new = old.rstrip("\n") + "\n\n" + section + "\n"
with open(out, "w", encoding="utf-8") as f:
    f.write(new.rstrip("\n") + "\n")
print()
print(section)
if failed and E["B_STRICT"] == "1":
    sys.exit(1)
EOF
say "done in $(( $(date +%s) - start )) s; results in $OUT"
