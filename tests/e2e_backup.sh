#!/bin/sh
# e2e_backup: scheduled online backups and a restore drill with the real
# binaries, then the audit log's hash chain. estd runs with [backup] dir
# set; the scheduler writes a backup at start (none is there yet), a
# restart within interval_hours writes none, restarts with the clock
# (ESTD_NOW) moved on write new ones and delete the oldest beyond keep.
# Then the restore an operator would do: stop estd, copy the newest
# backup over the database and its .key over the key file, remove any
# -wal/-shm, start estd: the reports of the backup are there, the one
# written after it is not, /healthz is ok and `estctl audit verify`
# passes. Last, an attacker with the file drops the append-only trigger
# and edits an entry with the sqlite3 tool: verify exits 1 naming it.
#
# Needs build/estd and build/estctl (make all), curl, python3 (standard
# library) and the sqlite3 tool (python3's sqlite3 module is used when
# the tool is missing). Prints one TAP line per check ("ok - ..." /
# "not ok - ...", details as "# ...") and exits 1 if any check failed.
# Every wait is bounded; estd is killed and the temporary directory
# removed on exit (kept when a check failed and ESTD_KEEP=1 is set).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
PY=/usr/bin/python3
# Wednesday of week 47, then two and four hours later, then after that.
NOW1=2026-11-18T10:00:00+01:00
NOW2=2026-11-18T12:00:00+01:00
NOW3=2026-11-18T14:00:00+01:00
NOW4=2026-11-18T14:30:00+01:00
PERIOD=2026-W47

lib_init backup
trap lib_cleanup EXIT
trap 'exit 1' INT TERM HUP

# The backups in the directory, oldest first, one name a line.
backups() {
	for f in "$tmp"/backups/estd-[0-9]*-[0-9]*.db; do
		[ -e "$f" ] && basename "$f"
	done | grep -E '^estd-[0-9]{8}-[0-9]{6}\.db$' | sort
}

nbackups() {
	backups | wc -l | tr -d ' '
}

# start NOW: estd with the clock at NOW; sets $pid and $port.
start() {
	if estd_start "$1"; then
		ok "estd starts at $1 (port $port)"
	else
		notok "estd starts at $1 within 10 s"
		diag "$tmp/estd.log"
		exit 1
	fi
}

# stop: SIGTERM, estd exits 0 within 5 s.
stop() {
	kill -TERM "$pid"
	i=0
	while [ $i -lt 50 ] && kill -0 "$pid" 2>/dev/null; do
		state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' \
		    /proc/"$pid"/status 2>/dev/null)
		[ "$state" = Z ] && break
		sleep 0.1
		i=$((i + 1))
	done
	wait "$pid"
	rc=$?
	pid=
	if [ "$rc" -eq 0 ]; then
		ok "SIGTERM: estd exits 0"
	else
		notok "SIGTERM: estd exits 0 (exit $rc)"
		tail -n 5 "$tmp/estd.log" | sed 's/^/#   /'
	fi
}

# wait_backups N: up to 10 s for N backups in the directory.
wait_backups() {
	i=0
	while [ $i -lt 100 ] && [ "$(nbackups)" -lt "$1" ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ "$(nbackups)" -ge "$1" ]
}

# mode FILE: its permission bits in octal.
mode() {
	stat -c %a "$1" 2>/dev/null
}

# sql DB SQL: run SQL with the sqlite3 tool, or python's module when the
# tool is missing; SQLite's message on stderr, non-zero exit on failure.
sql() {
	if command -v sqlite3 >/dev/null 2>&1; then
		sqlite3 "$1" "$2"
	else
		$PY -c 'import sqlite3, sys
sqlite3.connect(sys.argv[1], isolation_level=None).executescript(sys.argv[2])' \
		    "$1" "$2"
	fi
}

# count DB: "INTEGRITY REPORTS" of a database file, read-only.
count() {
	$PY - "$1" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
ic = db.execute("PRAGMA integrity_check").fetchone()[0]
n = db.execute("SELECT count(*) FROM reports").fetchone()[0]
print(ic, n)
EOF
}

copy_binaries
if ! command -v curl >/dev/null 2>&1; then
	notok "curl is installed"
	exit 1
fi

write_conf
cat >>"$conf" <<CONF
[backup]
dir = backups
interval_hours = 1
keep = 2
CONF

run cc "$ESTD" -c "$conf" --check-config
if [ "$rc" -eq 0 ]; then
	ok "estd --check-config accepts [backup] dir, interval_hours, keep"
else
	notok "estd --check-config accepts [backup] (exit $rc)"
	diag "$tmp/cc.err"
fi

run init estctl init
run a1 estctl area add centrum Centrum
run a2 estctl area add norr Norr
run p1 estctl person add --name "Anna Berg" --email anna@example.org \
    --org Bostadsbolaget --role reporter --area centrum --area norr
tok1=$(tail -n 1 "$tmp/p1.out" | sed -n 's|^http://127\.0\.0\.1/r/||p')
if [ "$rc" -eq 0 ] && [ -n "$tok1" ] && [ -f "$tmp/estd.db.key" ]; then
	ok "estctl init, area add, person add (reporter); key file beside the database"
else
	notok "estctl init, area add, person add (exit $rc)"
	diag "$tmp/init.err"
	diag "$tmp/p1.err"
	exit 1
fi

# Run 1: no backup yet, so one is written at start.
start "$NOW1"
if wait_backups 1; then
	b1=$(backups | tail -n 1)
	ok "a scheduled backup is written at start: $b1"
else
	b1=
	notok "a scheduled backup is written at start within 10 s"
	diag "$tmp/estd.log"
fi
case $b1 in
estd-20261118-09000[0-9].db) ok "its name is the UTC time of ESTD_NOW" ;;
*) notok "its name is the UTC time of ESTD_NOW (got $b1)" ;;
esac
if [ -n "$b1" ] && [ "$(mode "$tmp/backups/$b1")" = 600 ] &&
    [ "$(mode "$tmp/backups/$b1.key")" = 600 ] &&
    cmp -s "$tmp/backups/$b1.key" "$tmp/estd.db.key"; then
	ok "the backup and the key file beside it are mode 0600; the key is the database's"
else
	notok "the backup and the key file beside it are mode 0600; the key is the database's"
	ls -la "$tmp/backups" | sed 's/^/#   /'
fi
if grep -q "backup: .*$b1 written (quick_check ok" "$tmp/estd.log"; then
	ok "estd logs the backup and its quick_check"
else
	notok "estd logs the backup and its quick_check"
	diag "$tmp/estd.log"
fi
if find "$tmp/backups" -name '*.tmp' | grep -q .; then
	notok "no temporary file is left in the backup directory"
else
	ok "no temporary file is left in the backup directory"
fi

post_report r1 "$tok1" '{"area":"centrum","period":"2026-W47","ratings":{"skadegorelse":2},"place":"Torget","note":"Krossad busskur"}'
c1=$code
post_report r2 "$tok1" '{"area":"norr","period":"2026-W47","ratings":{"klotter":3},"counts":{"klotter":2}}'
if [ "$c1" = 201 ] && [ "$code" = 201 ]; then
	ok "two reports submitted (201, 201)"
else
	notok "two reports submitted (got $c1, $code)"
	diag "$tmp/r1.body"
	diag "$tmp/r2.body"
fi
stop

# A restart within the interval writes no backup.
start "$NOW1"
sleep 2
if [ "$(nbackups)" = 1 ]; then
	ok "a restart within interval_hours writes no new backup"
else
	notok "a restart within interval_hours writes no new backup ($(nbackups) backups)"
fi
stop

# Run 2: two hours on, a backup is due; it holds both reports.
start "$NOW2"
if wait_backups 2; then
	b2=$(backups | tail -n 1)
	ok "two hours later a second backup is written: $b2"
else
	b2=
	notok "two hours later a second backup is written"
	diag "$tmp/estd.log"
fi
res=$(count "$tmp/backups/$b2" 2>&1)
if [ "$res" = "ok 2" ]; then
	ok "the second backup opens, integrity ok, 2 reports"
else
	notok "the second backup opens, integrity ok, 2 reports (got: $res)"
fi
stop

# Run 3: a third backup; keep = 2 deletes the first and its key.
start "$NOW3"
i=0
while [ $i -lt 100 ] && [ "$(backups | tail -n 1)" = "$b2" ]; do
	sleep 0.1
	i=$((i + 1))
done
# The deletion follows the rename within the same job.
sleep 0.5
if [ "$(backups | tail -n 1)" != "$b2" ]; then
	b3=$(backups | tail -n 1)
	ok "four hours later a third backup is written: $b3"
else
	b3=
	notok "four hours later a third backup is written"
	diag "$tmp/estd.log"
fi
left=$(backups | tr '\n' ' ')
if [ "$left" = "$b2 $b3 " ] && [ ! -e "$tmp/backups/$b1" ] &&
    [ ! -e "$tmp/backups/$b1.key" ] && [ -f "$tmp/backups/$b3.key" ]; then
	ok "keep = 2: the oldest backup and its key are deleted"
else
	notok "keep = 2: the oldest backup and its key are deleted (left: $left)"
	ls -la "$tmp/backups" | sed 's/^/#   /'
fi

# A report written after the newest backup: a restore loses it.
post_report r3 "$tok1" '{"area":"centrum","period":"2026-W47","ratings":{"brand":1},"note":"Efter kopian"}'
if [ "$code" = 200 ]; then
	ok "a report replaced after the last backup (200)"
else
	notok "a report replaced after the last backup (got $code)"
	diag "$tmp/r3.body"
fi

# estctl backup FILE writes FILE.key too.
run bk estctl backup "$tmp/manual.db"
if [ "$rc" -eq 0 ] && [ "$(mode "$tmp/manual.db.key")" = 600 ] &&
    cmp -s "$tmp/manual.db.key" "$tmp/estd.db.key" &&
    grep -q "manual.db.key" "$tmp/bk.out"; then
	ok "estctl backup FILE copies the key file to FILE.key (0600)"
else
	notok "estctl backup FILE copies the key file to FILE.key (exit $rc)"
	diag "$tmp/bk.err"
fi
stop

# The restore drill.
cp "$tmp/backups/$b3" "$tmp/estd.db" &&
    cp "$tmp/backups/$b3.key" "$tmp/estd.db.key" &&
    rm -f "$tmp/estd.db-wal" "$tmp/estd.db-shm"
if [ $? -eq 0 ]; then
	ok "restore: the newest backup and its key copied over database and key file"
else
	notok "restore: copying the backup over the database"
fi
start "$NOW4"
http hz "http://127.0.0.1:$port/healthz"
if [ "$code" = 200 ] && grep -q '"status": *"ok"' "$tmp/hz.body"; then
	ok "after the restore GET /healthz: 200 ok"
else
	notok "after the restore GET /healthz: 200 ok (got $code)"
	diag "$tmp/hz.body"
fi
run rep env ESTD_NOW=$NOW4 "$ESTCTL" -c "$conf" reports "$PERIOD" --json
PYCODE='
rs = {r["area"]: r for r in d["reports"]}
assert set(rs) == {"centrum", "norr"}, sorted(rs)
c = rs["centrum"]
assert c["revision"] == 1, c
assert c["ratings"] == {"skadegorelse": 2}, c["ratings"]
assert c["place"] == "Torget" and c["note"] == "Krossad busskur", c
assert rs["norr"]["ratings"] == {"klotter": 3}, rs["norr"]
assert rs["norr"]["counts"] == {"klotter": 2}, rs["norr"]
'
if [ "$rc" -eq 0 ] && pycheck "$tmp/rep.out" >"$tmp/py.out" 2>&1; then
	ok "after the restore the reports of the backup are there, the later revision is not"
else
	notok "after the restore the reports of the backup are there (exit $rc)"
	diag "$tmp/py.out"
	diag "$tmp/rep.err"
fi
# The restored key still makes the same links: the token works.
post_report r4 "$tok1" '{"area":"norr","period":"2026-W47","ratings":{"klotter":1}}'
if [ "$code" = 200 ]; then
	ok "after the restore the reporter's link works (200)"
else
	notok "after the restore the reporter's link works (got $code)"
	diag "$tmp/r4.body"
fi

# The audit log of the restored database is intact.
run av estctl audit verify
if [ "$rc" -eq 0 ] && grep -q '^audit log intact: [1-9][0-9]* entries checked$' \
    "$tmp/av.out"; then
	ok "estctl audit verify: $(head -n 1 "$tmp/av.out")"
else
	notok "estctl audit verify exits 0 with \"audit log intact\" (exit $rc)"
	diag "$tmp/av.out"
	diag "$tmp/av.err"
fi

run ej estctl audit export --json
PYCODE='
es = d["entries"]
assert d["since"] is None, d["since"]
assert [e["id"] for e in es] == list(range(1, len(es) + 1)), [e["id"] for e in es]
acts = [e["action"] for e in es]
assert "area.add" in acts and "person.add" in acts and "backup" in acts, acts
for i, e in enumerate(es):
    assert set(e) == {"id", "at", "actor", "action", "detail", "prev_hash",
        "hash"}, sorted(e)
    assert len(e["hash"]) == 64 and e["at"][19] in "+-Z", e
    if i > 0:
        assert e["prev_hash"] == es[i - 1]["hash"], e
assert es[0]["prev_hash"] == "0" * 64
b = [e for e in es if e["action"] == "backup"]
assert b[0]["actor"] == "estd" and b[0]["detail"].startswith("estd-2026"), b
print(len(es))
'
if [ "$rc" -eq 0 ] && pycheck "$tmp/ej.out" >"$tmp/py.out" 2>&1; then
	nent=$(tail -n 1 "$tmp/py.out")
	ok "estctl audit export --json: $nent chained entries with ISO times"
else
	nent=
	notok "estctl audit export --json (exit $rc)"
	diag "$tmp/py.out"
	diag "$tmp/ej.out"
fi
run ec estctl audit export --csv --since 2026-01-01
if [ "$rc" -eq 0 ] && [ "$(head -n 1 "$tmp/ec.out" | tr -d '\r')" = \
    "id,at,actor,action,detail,prev_hash,hash" ] &&
    [ "$(wc -l <"$tmp/ec.out")" -gt 2 ]; then
	ok "estctl audit export --csv --since 2026-01-01: header and rows"
else
	notok "estctl audit export --csv --since: header and rows (exit $rc)"
	diag "$tmp/ec.out" 3
	diag "$tmp/ec.err"
fi
run ef estctl audit export --since 2099-01-01 --json
if [ "$rc" -eq 0 ] && PYCODE='assert d == {"since": "2099-01-01", "entries": []}, d' \
    pycheck "$tmp/ef.out" >"$tmp/py.out" 2>&1; then
	ok "estctl audit export --since a future day: no entries"
else
	notok "estctl audit export --since a future day: no entries (exit $rc)"
	diag "$tmp/py.out"
fi
run eb estctl audit export --since 2026-02-30
if [ "$rc" -eq 2 ] && grep -q '2026-02-30' "$tmp/eb.err"; then
	ok "estctl audit export --since 2026-02-30: exit 2 naming the date"
else
	notok "estctl audit export --since 2026-02-30: exit 2 (exit $rc)"
	diag "$tmp/eb.err"
fi

# The append-only trigger refuses an edit...
run up sql "$tmp/estd.db" "UPDATE audit SET detail = 'nothing' WHERE id = 2;"
if [ "$rc" -ne 0 ] && grep -q 'append-only' "$tmp/up.err"; then
	ok "an UPDATE of the audit log is refused: append-only"
else
	notok "an UPDATE of the audit log is refused (exit $rc)"
	diag "$tmp/up.err"
fi
# ...but someone with the file can drop it; the chain shows the edit.
run tamper sql "$tmp/estd.db" "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'nothing' WHERE id = 2;"
run av2 estctl audit verify
if [ "$rc" -eq 1 ] &&
    grep -q '^estctl: audit log broken at entry 2: ' "$tmp/av2.err"; then
	ok "after tampering estctl audit verify exits 1: $(cat "$tmp/av2.err")"
else
	notok "after tampering estctl audit verify exits 1 naming entry 2 (exit $rc)"
	diag "$tmp/tamper.err"
	diag "$tmp/av2.out"
	diag "$tmp/av2.err"
fi
stop

echo "1..$n"
[ "$failed" -eq 0 ]
