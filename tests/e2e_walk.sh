#!/bin/sh
# e2e_walk: the README's set-up walked with the real binaries, as an
# administrator and a reporter would: help and version, config check,
# estctl init/area/person/import/reports/backup, estd serving the form
# and the JSON API, link renewal and disabling, and a clean SIGTERM.
#
# Needs build/estd and build/estctl (make all), curl and Debian's
# python3 (standard library only) for the JSON checks. Prints one TAP
# line per check ("ok - ..." / "not ok - ...", details as "# ...") and
# exits 1 if any check failed. Every wait is bounded; estd is killed
# and the temporary directory removed on exit (kept when a check failed
# and ESTD_KEEP=1 is set).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
PY=/usr/bin/python3
NOW=2026-11-18T10:00:00+01:00
PERIOD=2026-W47

lib_init walk
trap lib_cleanup EXIT
trap 'exit 1' INT TERM HUP

# token_of LINK KIND: the token of BASE_URL/KIND/TOKEN, or empty.
token_of() {
	printf '%s\n' "$1" | sed -n "s|^http://127\\.0\\.0\\.1/$2/\\([A-Za-z0-9_-]\\{16,\\}\\)\$|\\1|p"
}

copy_binaries
if ! command -v curl >/dev/null 2>&1; then
	notok "curl is installed"
	exit 1
fi

# --help and --version of both programs.
for prog in estd estctl; do
	for opt in --help --version; do
		run help "$tmp/bin/$prog" "$opt"
		if [ "$rc" -eq 0 ] && [ -s "$tmp/help.out" ]; then
			ok "$prog $opt exits 0 and prints"
		else
			notok "$prog $opt exits 0 and prints (exit $rc)"
			diag "$tmp/help.err"
		fi
	done
done
run version "$ESTD" --version
if grep -q '^estd [0-9]' "$tmp/version.out"; then
	ok "estd --version names program and version"
else
	notok "estd --version names program and version"
	diag "$tmp/version.out"
fi

# The configuration of the README, with relative paths.
write_conf

run cc "$ESTD" -c "$conf" --check-config
if [ "$rc" -eq 0 ]; then
	ok "estd --check-config accepts the README configuration"
else
	notok "estd --check-config accepts the README configuration (exit $rc)"
	diag "$tmp/cc.err"
fi

# An unknown key on a known line: exit 2, message names file, line, key.
bad=$tmp/bad.conf
sed 's/^base_url = .*/&\ncolour = blue/' "$conf" >"$bad"
badline=$(grep -n '^colour' "$bad" | cut -d: -f1)
run ccbad "$ESTD" -c "$bad" --check-config
if [ "$rc" -eq 2 ] && grep -q "bad\.conf" "$tmp/ccbad.err" &&
    grep -q "$badline" "$tmp/ccbad.err" &&
    grep -q "colour" "$tmp/ccbad.err"; then
	ok "estd --check-config with an unknown key exits 2 naming file, line $badline and key"
else
	notok "estd --check-config with an unknown key exits 2 naming file, line $badline and key (exit $rc)"
	diag "$tmp/ccbad.err"
fi

run init estctl init
if [ "$rc" -eq 0 ] && [ -f "$tmp/estd.db" ]; then
	ok "estctl init creates the database beside the config"
else
	notok "estctl init creates the database beside the config (exit $rc)"
	diag "$tmp/init.err"
	exit 1
fi

run a1 estctl area add centrum Centrum
r1=$rc
run a2 estctl area add norr "Norra Stationsområdet"
if [ "$r1" -eq 0 ] && [ "$rc" -eq 0 ]; then
	ok "estctl area add (two areas)"
else
	notok "estctl area add (two areas) (exit $r1, $rc)"
	diag "$tmp/a1.err"
	diag "$tmp/a2.err"
fi

run dup estctl area add centrum "Centrum igen"
lines=$(wc -l <"$tmp/dup.err")
if [ "$rc" -ne 0 ] && [ "$lines" -eq 1 ] &&
    grep -q '^estctl: .*centrum' "$tmp/dup.err"; then
	ok "estctl area add of a duplicate fails with one line: $(cat "$tmp/dup.err")"
else
	notok "estctl area add of a duplicate fails with one readable line (exit $rc, $lines lines)"
	diag "$tmp/dup.err"
fi

run al estctl area list --json
PYCODE='
areas = {a["slug"]: a["name"] for a in d["areas"]}
assert areas == {"centrum": "Centrum", "norr": "Norra Stationsområdet"}, areas
'
if [ "$rc" -eq 0 ] && pycheck "$tmp/al.out" >"$tmp/py.out" 2>&1; then
	ok "estctl area list --json lists both areas with their names"
else
	notok "estctl area list --json lists both areas with their names (exit $rc)"
	diag "$tmp/py.out"
	diag "$tmp/al.out"
fi

# A reporter for both areas, a reporter for norr (import), a key function.
run p1 estctl person add --name "Anna Berg" --email anna@example.org \
    --org Bostadsbolaget --role reporter --area centrum --area norr
link1=$(tail -n 1 "$tmp/p1.out")
tok1=$(token_of "$link1" r)
if [ "$rc" -eq 0 ] && [ -n "$tok1" ]; then
	ok "estctl person add (reporter) prints BASE_URL/r/TOKEN last"
else
	notok "estctl person add (reporter) prints BASE_URL/r/TOKEN last (exit $rc): $link1"
	diag "$tmp/p1.err"
fi
id1=$(sed -n 's/^person \([0-9]*\) added.*/\1/p' "$tmp/p1.out")

run p2 estctl person add --name "Omar Said" --email omar@example.org \
    --org Fritid --role reporter --area norr
tok2=$(token_of "$(tail -n 1 "$tmp/p2.out")" r)
if [ "$rc" -eq 0 ] && [ -n "$tok2" ]; then
	ok "estctl person add (second reporter, area norr)"
else
	notok "estctl person add (second reporter, area norr) (exit $rc)"
	diag "$tmp/p2.err"
fi

run p3 estctl person add --name "Lena Ek" --email lena@example.org \
    --org Kommunen --role keyfunction --area centrum
link3=$(tail -n 1 "$tmp/p3.out")
tok3=$(token_of "$link3" k)
if [ "$rc" -eq 0 ] && [ -n "$tok3" ]; then
	ok "estctl person add (key function) prints BASE_URL/k/TOKEN last"
else
	notok "estctl person add (key function) prints BASE_URL/k/TOKEN last (exit $rc): $link3"
	diag "$tmp/p3.err"
fi

run pl estctl person list --json
PYCODE='
people = {p["email"]: p for p in d["people"]}
assert set(people) == {"anna@example.org", "omar@example.org",
    "lena@example.org"}, sorted(people)
assert people["anna@example.org"]["role"] == "reporter"
assert people["lena@example.org"]["role"] == "keyfunction"
text = open(sys.argv[1], encoding="utf-8").read()
for t in args:
    assert t and t not in text, "a token appears in the output"
def keys(o):
    if isinstance(o, dict):
        for k, v in o.items():
            yield k
            yield from keys(v)
    elif isinstance(o, list):
        for v in o:
            yield from keys(v)
bad = [k for k in keys(d) if "token" in k.lower() or "hash" in k.lower()]
assert not bad, "token/hash fields: %s" % bad
print(people["anna@example.org"]["id"])
'
if [ "$rc" -eq 0 ] && pycheck "$tmp/pl.out" "$tok1" "$tok2" "$tok3" \
    >"$tmp/py.out" 2>&1; then
	ok "estctl person list --json lists the people without token or hash"
	[ -n "$id1" ] || id1=$(tail -n 1 "$tmp/py.out")
else
	notok "estctl person list --json lists the people without token or hash (exit $rc)"
	diag "$tmp/py.out"
fi

# Start estd with the clock pinned to Wednesday of week 47.
if estd_start "$NOW"; then
	ok "estd starts and says it is listening on port $port"
else
	notok "estd starts and says it is listening within 10 s"
	diag "$tmp/estd.log"
	exit 1
fi

http hz "http://127.0.0.1:$port/healthz"
PYCODE='assert d == {"status": "ok"}, d'
if [ "$code" = 200 ] && pycheck "$tmp/hz.body" >"$tmp/py.out" 2>&1; then
	ok "GET /healthz: 200 {\"status\":\"ok\"}"
else
	notok "GET /healthz: 200 {\"status\":\"ok\"} (got $code)"
	diag "$tmp/hz.body"
fi

http form -H 'Accept-Language: sv' "http://127.0.0.1:$port/r/$tok1"
case $ctype in
text/html*) html=1 ;;
*) html=0 ;;
esac
if [ "$code" = 200 ] && [ "$html" = 1 ] &&
    grep -qi 'vecka 47' "$tmp/form.body"; then
	ok "GET /r/TOKEN: 200 text/html form for vecka 47"
else
	notok "GET /r/TOKEN: 200 text/html form for vecka 47 (got $code, $ctype)"
	grep -io 'vecka[^<]\{0,12\}' "$tmp/form.body" | head -n 3 | sed 's/^/#   /'
fi

# The JSON API: a new report, then the same triple again.
post_report r1 "$tok1" '{"area":"centrum","period":"2026-W47","ratings":{"skadegorelse":2,"klotter":0},"counts":{"skadegorelse":3},"place":"Torget","note":"Krossad busskur"}'
PYCODE='
assert d["area"] == "centrum" and d["period"] == "2026-W47", d
assert d.get("revision") == 1, d
print(d["id"])
'
if [ "$code" = 201 ] && pycheck "$tmp/r1.body" >"$tmp/py.out" 2>&1; then
	rid=$(tail -n 1 "$tmp/py.out")
	ok "POST /api/v1/reports: 201, revision 1 (id $rid)"
else
	rid=
	notok "POST /api/v1/reports: 201, revision 1 (got $code)"
	diag "$tmp/r1.body"
	diag "$tmp/py.out"
fi

post_report r2 "$tok1" '{"area":"centrum","period":"2026-W47","ratings":{"skadegorelse":3,"brand":1},"note":"Brand i papperskorg"}'
PYCODE='
assert d["area"] == "centrum" and d["period"] == "2026-W47", d
assert d.get("revision") == 2, d
assert str(d["id"]) == args[0], "id %s, expected %s" % (d["id"], args[0])
'
if [ "$code" = 200 ] && pycheck "$tmp/r2.body" "$rid" >"$tmp/py.out" 2>&1; then
	ok "POST /api/v1/reports again: 200, same id, revision 2"
else
	notok "POST /api/v1/reports again: 200, same id, revision 2 (got $code)"
	diag "$tmp/r2.body"
	diag "$tmp/py.out"
fi

post_report r401 "" '{"area":"centrum","ratings":{"klotter":1}}'
PYCODE='assert isinstance(d.get("error"), str) and d["error"], d'
if [ "$code" = 401 ] && pycheck "$tmp/r401.body" >"$tmp/py.out" 2>&1; then
	ok "POST /api/v1/reports without a token: 401 with a JSON error"
else
	notok "POST /api/v1/reports without a token: 401 with a JSON error (got $code)"
	diag "$tmp/r401.body"
fi

post_report r422 "$tok1" '{"area":"centrum","period":"2026-W47","ratings":{"klotter":7}}'
PYCODE='assert d.get("field") == "ratings.klotter" and d.get("error"), d'
if [ "$code" = 422 ] && pycheck "$tmp/r422.body" >"$tmp/py.out" 2>&1; then
	ok "POST /api/v1/reports with rating 7: 422 naming ratings.klotter"
else
	notok "POST /api/v1/reports with rating 7: 422 naming ratings.klotter (got $code)"
	diag "$tmp/r422.body"
fi

# estctl reads while estd runs.
run rep env ESTD_NOW=$NOW "$ESTCTL" -c "$conf" reports "$PERIOD" --json
PYCODE='
assert d["period"] == "2026-W47", d.get("period")
rs = d["reports"]
assert len(rs) == 1, "%d reports" % len(rs)
r = rs[0]
assert r["area"] == "centrum" and r["reporter"] == "anna@example.org", r
assert r["revision"] == 2, r
assert r["ratings"] == {"skadegorelse": 3, "brand": 1}, r["ratings"]
assert r["note"] == "Brand i papperskorg", r["note"]
assert not r.get("counts"), r.get("counts")
assert r.get("place") in (None, ""), r.get("place")
'
if [ "$rc" -eq 0 ] && pycheck "$tmp/rep.out" >"$tmp/py.out" 2>&1; then
	ok "estctl reports $PERIOD --json (estd running): latest values, revision 2"
else
	notok "estctl reports $PERIOD --json (estd running): latest values, revision 2 (exit $rc)"
	diag "$tmp/py.out"
	diag "$tmp/rep.err"
fi

# A new link: the old token stops working, the new one works.
run link estctl person link "$id1"
tok1n=$(token_of "$(tail -n 1 "$tmp/link.out")" r)
if [ "$rc" -eq 0 ] && [ -n "$tok1n" ] && [ "$tok1n" != "$tok1" ]; then
	ok "estctl person link $id1 prints a new /r/ link"
else
	notok "estctl person link $id1 prints a new /r/ link (exit $rc)"
	diag "$tmp/link.err"
fi
post_report old "$tok1" '{"area":"centrum","period":"2026-W47","ratings":{"klotter":1}}'
if [ "$code" = 401 ]; then
	ok "the old token gets 401 after person link"
else
	notok "the old token gets 401 after person link (got $code)"
	diag "$tmp/old.body"
fi
post_report new "$tok1n" '{"area":"centrum","period":"2026-W47","ratings":{"klotter":1},"note":"ny länk"}'
PYCODE='assert d.get("revision") == 3, d'
if [ "$code" = 200 ] && pycheck "$tmp/new.body" >"$tmp/py.out" 2>&1; then
	ok "the new token works: 200, revision 3"
else
	notok "the new token works: 200, revision 3 (got $code)"
	diag "$tmp/new.body"
fi

run dis estctl person disable "$id1"
post_report dis "$tok1n" '{"area":"centrum","period":"2026-W47","ratings":{"klotter":2}}'
if [ "$rc" -eq 0 ] && [ "$code" = 401 ]; then
	ok "estctl person disable $id1: the token then gets 401"
else
	notok "estctl person disable $id1: the token then gets 401 (exit $rc, got $code)"
	diag "$tmp/dis.err"
fi

# Import: one bad line refuses the whole file; a good file goes in.
cat >"$tmp/bad.csv" <<'CSV'
period,area,reporter_email,indicator,rating,count,note
2026-W40,norr,omar@example.org,skadegorelse,1,,
2026-W40,norr,omar@example.org,klotter,7,,
2026-W41,norr,,brand,2,1,Brand vid skolan
CSV
run imp1 estctl import "$tmp/bad.csv"
if [ "$rc" -eq 2 ] && grep -q 'line 3' "$tmp/imp1.err" &&
    ! grep -q 'line [124]\b' "$tmp/imp1.err"; then
	ok "estctl import of a CSV with a bad line 3 exits 2 naming line 3"
else
	notok "estctl import of a CSV with a bad line 3 exits 2 naming line 3 (exit $rc)"
	diag "$tmp/imp1.err"
fi
run imp1r estctl reports 2026-W40 --json
r40=$rc
PYCODE='assert d["reports"] == [], d["reports"]'
run imp1r41 estctl reports 2026-W41 --json
if [ "$r40" -eq 0 ] && [ "$rc" -eq 0 ] &&
    pycheck "$tmp/imp1r.out" >"$tmp/py.out" 2>&1 &&
    pycheck "$tmp/imp1r41.out" >>"$tmp/py.out" 2>&1; then
	ok "nothing of the refused CSV was imported"
else
	notok "nothing of the refused CSV was imported"
	diag "$tmp/py.out"
fi

sed 's/klotter,7/klotter,2/' "$tmp/bad.csv" >"$tmp/good.csv"
run imp2 estctl import "$tmp/good.csv"
if [ "$rc" -eq 0 ]; then
	ok "estctl import of a good CSV: $(tail -n 1 "$tmp/imp2.out")"
else
	notok "estctl import of a good CSV (exit $rc)"
	diag "$tmp/imp2.err"
fi
run imp2r estctl reports 2026-W40 --json
PYCODE='
rs = d["reports"]
assert len(rs) == 1, "%d reports" % len(rs)
r = rs[0]
assert r["area"] == "norr" and r["reporter"] == "omar@example.org", r
assert r["ratings"] == {"skadegorelse": 1, "klotter": 2}, r["ratings"]
'
ok40=0
[ "$rc" -eq 0 ] && pycheck "$tmp/imp2r.out" >"$tmp/py.out" 2>&1 && ok40=1
run imp2r41 estctl reports 2026-W41 --json
PYCODE='
rs = d["reports"]
assert len(rs) == 1, "%d reports" % len(rs)
r = rs[0]
assert r["area"] == "norr" and not r.get("reporter"), r
assert r["ratings"] == {"brand": 2} and r["counts"] == {"brand": 1}, r
assert r["note"] == "Brand vid skolan", r["note"]
'
if [ "$ok40" -eq 1 ] && [ "$rc" -eq 0 ] &&
    pycheck "$tmp/imp2r41.out" >>"$tmp/py.out" 2>&1; then
	ok "the imported reports are stored with their values (W40 by a reporter, W41 unknown reporter)"
else
	notok "the imported reports are stored with their values"
	diag "$tmp/py.out"
fi

# An online backup while estd runs: a database sqlite3 opens.
run bk estctl backup "$tmp/backup.db"
cat >"$tmp/count.py" <<'EOF'
import sqlite3, sys
db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
ic = db.execute("PRAGMA integrity_check").fetchone()[0]
n = db.execute("SELECT count(*) FROM reports").fetchone()[0]
print(ic, n)
EOF
if [ "$rc" -eq 0 ] && [ -f "$tmp/backup.db" ]; then
	bkres=$($PY "$tmp/count.py" "$tmp/backup.db" 2>&1)
else
	bkres="no backup (exit $rc)"
	diag "$tmp/bk.err"
fi
# 1 API report (anna, W47) + 2 imported (W40, W41).
if [ "$bkres" = "ok 3" ]; then
	ok "estctl backup: sqlite3 opens the copy, integrity ok, 3 reports"
else
	notok "estctl backup: sqlite3 opens the copy, integrity ok, 3 reports (got: $bkres)"
fi

# SIGTERM: estd exits 0 within 5 s.
kill -TERM "$pid"
i=0
state=R
while [ $i -lt 50 ]; do
	state=$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' /proc/"$pid"/status 2>/dev/null)
	[ -z "$state" ] || [ "$state" = Z ] && break
	sleep 0.1
	i=$((i + 1))
done
if [ -z "$state" ] || [ "$state" = Z ]; then
	wait "$pid"
	rc=$?
	pid=
	if [ "$rc" -eq 0 ]; then
		ok "SIGTERM: estd exits 0 within 5 s ($((i / 10)).$((i % 10)) s)"
	else
		notok "SIGTERM: estd exits 0 within 5 s (exit $rc)"
		tail -n 5 "$tmp/estd.log" | sed 's/^/#   /'
	fi
else
	notok "SIGTERM: estd exits 0 within 5 s (still running; killed)"
	tail -n 5 "$tmp/estd.log" | sed 's/^/#   /'
fi

livres=$($PY "$tmp/count.py" "$tmp/estd.db" 2>&1)
if [ "$livres" = "$bkres" ]; then
	ok "the backup holds as many reports as the database ($livres)"
else
	notok "the backup holds as many reports as the database (database: $livres, backup: $bkres)"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
