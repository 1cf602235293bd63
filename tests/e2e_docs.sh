#!/bin/sh
# e2e_docs: the manual pages agree with the programs, and the systemd
# unit stays hardened.
#
#  - man/estd.8, man/estctl.8 and man/estd.conf.5 pass mandoc -Tlint
#    (every level down to style; the one message left out is "referenced
#    manual not found", which depends on what is installed) and render
#    with man -l;
#  - every command that build/estctl --help lists has its entry in the
#    COMMANDS of estctl.8, and every option of estd --help and estctl
#    --help appears in its page;
#  - every key that build/estd --sample-config prints (the commented
#    keys of [webhook NAME] too) has its entry in its section of
#    estd.conf.5, and that entry states the default the program prints;
#  - systemd-analyze security --offline=yes --threshold=20 passes on
#    systemd/estd.service.in with @BINDIR@ and @SYSCONFDIR@ put in as
#    make install does (default PREFIX and SYSCONFDIR), and the overall
#    exposure is at most 2.0.
#
# Needs build/estd and build/estctl (make all), mandoc (installed with
# apt-get when missing and the test runs as root), man, python3 and
# systemd-analyze. Prints one TAP line per check ("ok - ..." /
# "not ok - ...") and exits 1 if any failed.
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PAGES="man/estd.8 man/estctl.8 man/estd.conf.5"

lib_init docs
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

need_binaries
if ! command -v mandoc >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
	echo "# installing Debian's mandoc"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends mandoc >"$tmp/apt.log" 2>&1
fi
if command -v mandoc >/dev/null 2>&1; then
	ok "mandoc is installed"
else
	notok "mandoc is installed (Debian package mandoc)"
	diag "$tmp/apt.log"
	exit 1
fi

# ---------------------------------------------------------------------
# Lint and render.
for page in $PAGES; do
	if [ ! -f "$page" ]; then
		notok "$page exists"
		continue
	fi
	mandoc -Tlint -W style "$page" >"$tmp/lint.raw" 2>&1
	grep -v -e 'referenced manual not found' -e 'mandoc\.db' \
	    "$tmp/lint.raw" >"$tmp/lint.out"
	if [ ! -s "$tmp/lint.out" ]; then
		ok "mandoc -Tlint: $page is clean"
	else
		notok "mandoc -Tlint: $page is clean"
		diag "$tmp/lint.out" 20
	fi
	if MANWIDTH=80 man --warnings -l "$page" >"$tmp/man.out" \
	    2>"$tmp/man.err" && [ -s "$tmp/man.out" ] &&
	    [ ! -s "$tmp/man.err" ]; then
		ok "man -l $page renders without warnings"
	else
		notok "man -l $page renders without warnings"
		diag "$tmp/man.err"
	fi
done

# Plain text of a page, for what a reader sees.
render() {
	mandoc -Tutf8 "$1" 2>/dev/null | col -bx
}

# ---------------------------------------------------------------------
# estctl: every command of --help in COMMANDS; every option.
"$ESTCTL" --help >"$tmp/estctl.help" 2>&1
render man/estctl.8 >"$tmp/estctl.txt"
$PY - "$tmp/estctl.help" "$tmp/estctl.txt" >"$tmp/cmds.out" <<'EOF'
import re, sys
helptext = open(sys.argv[1], encoding="utf-8").read().splitlines()
page = open(sys.argv[2], encoding="utf-8").read().splitlines()

# Commands: the lines of "commands:" indented by exactly two spaces;
# the command is the leading lowercase words ("outbox flush", "person
# add"), up to the first argument or option.
cmds, inside = [], False
for line in helptext:
    if line == "commands:":
        inside = True
        continue
    if inside and line.strip() == "":
        break
    m = re.match(r"^  ([a-z][a-z-]*(?: [a-z][a-z-]*)*)(?= |$)", line)
    if inside and m:
        words = []
        for w in m.group(1).split(" "):
            words.append(w)
        cmds.append(" ".join(words))

# The entries of COMMANDS: lines indented by five spaces in that section.
heads, inside = [], False
for line in page:
    if line == "COMMANDS":
        inside = True
        continue
    if inside and re.match(r"^[A-Z]", line):
        break
    if inside and re.match(r"^     \S", line):
        heads.append(line[5:])
for c in cmds:
    found = any(h == c or h.startswith(c + " ") for h in heads)
    print("%s\t%s" % ("ok" if found else "missing", c))

# Options: every -x / --xyz token of --help's options.
opts = sorted(set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)",
    "\n".join(l for l in helptext if l.startswith("  -")))))
text = "\n".join(page)
for o in opts:
    print("%s\toption %s" % ("ok" if o in text else "missing", o))
EOF
if [ ! -s "$tmp/cmds.out" ]; then
	notok "estctl --help lists commands the test can read"
	diag "$tmp/estctl.help"
fi
while IFS='	' read -r state what; do
	if [ "$state" = ok ]; then
		ok "estctl.8 documents estctl $what"
	else
		notok "estctl.8 documents estctl $what"
	fi
done <"$tmp/cmds.out"

# estd: every option of --help in estd.8.
"$ESTD" --help >"$tmp/estd.help" 2>&1
render man/estd.8 >"$tmp/estd.txt"
grep -o -- '--*[a-z][a-z-]*' "$tmp/estd.help" | sort -u >"$tmp/estd.opts"
while read -r o; do
	if grep -q -- "$o" "$tmp/estd.txt"; then
		ok "estd.8 documents estd $o"
	else
		notok "estd.8 documents estd $o"
	fi
done <"$tmp/estd.opts"

# ---------------------------------------------------------------------
# estd.conf.5: every key of --sample-config, in its section, with its
# default.
"$ESTD" --sample-config >"$tmp/sample.conf" 2>&1
$PY - "$tmp/sample.conf" man/estd.conf.5 >"$tmp/keys.out" <<'EOF'
import re, sys
sample = open(sys.argv[1], encoding="utf-8").read().splitlines()
src = open(sys.argv[2], encoding="utf-8").read().splitlines()

# The sample: "[section]" or "; [webhook NAME]" starts a section; keys
# are "key = value" lines, or "; key = value" in a section whose keys
# are all commented out (one that is only a template).
keys, section = [], None
for line in sample:
    m = re.match(r"^(?:; )?\[([a-z]+(?: [A-Z]+)?)\]$", line)
    if m:
        section = m.group(1)
        continue
    m = re.match(r"^(?:; )?([a-z_]+) =(?: (.*))?$", line)
    if m and section is not None:
        keys.append((section, m.group(1), (m.group(2) or "").strip()))

# The page: ".Ss [section]" then ".It Ic key ..." entries up to the next
# ".It" at the same depth, ".El" or ".Ss"/".Sh".
entries, section, key, body = {}, None, None, []
def close():
    if section is not None and key is not None:
        entries[(section, key)] = "\n".join(body)
for line in src:
    m = re.match(r"^\.S[sh] \[([a-z]+(?: [A-Z]+)?)\](?:\\&)?$", line)
    if m or line.startswith(".Sh") or line.startswith(".Ss"):
        close()
        section, key, body = (m.group(1) if m else None), None, []
        continue
    m = re.match(r"^\.It Ic ([a-z_]+)(?: |$)", line)
    if m:
        close()
        key, body = m.group(1), []
        continue
    if line == ".El":
        close()
        key, body = None, []
        continue
    body.append(line)
close()

for sec, k, default in keys:
    name = "[%s] %s" % (sec, k)
    if (sec, k) not in entries:
        print("missing\t%s" % name)
        continue
    text = entries[(sec, k)]
    if default == "":
        good = "default is empty" in text or "no default" in text
        shown = "empty"
    else:
        good = default in text
        shown = default
    print("%s\t%s (default %s)" % ("ok" if good else "wrong-default",
                                   name, shown))
EOF
if [ ! -s "$tmp/keys.out" ]; then
	notok "estd --sample-config prints keys the test can read"
	diag "$tmp/sample.conf"
fi
while IFS='	' read -r state what; do
	case $state in
	ok) ok "estd.conf.5 documents $what" ;;
	missing) notok "estd.conf.5 documents $what" ;;
	*) notok "estd.conf.5 states the default of $what" ;;
	esac
done <"$tmp/keys.out"

# ---------------------------------------------------------------------
# The unit's exposure, as make install writes it (PREFIX=/usr/local,
# SYSCONFDIR=/etc). The file must be named like the unit.
if ! command -v systemd-analyze >/dev/null 2>&1; then
	notok "systemd-analyze is installed (Debian package systemd)"
else
	sed 's,@BINDIR@,/usr/local/sbin,g;s,@SYSCONFDIR@,/etc,g' \
	    systemd/estd.service.in >"$tmp/estd.service"
	systemd-analyze security --offline=yes --threshold=20 \
	    "$tmp/estd.service" >"$tmp/sa.out" 2>&1
	rc=$?
	score=$(sed -n 's/.*Overall exposure level for estd\.service: \([0-9][0-9.]*\).*/\1/p' \
	    "$tmp/sa.out" | tail -n 1)
	echo "# systemd-analyze security: exposure ${score:-unknown}"
	if [ "$rc" -eq 0 ]; then
		ok "systemd-analyze security --offline=yes --threshold=20 passes"
	else
		notok "systemd-analyze security --offline=yes --threshold=20 passes (exit $rc)"
		grep -E '✗|Overall|rror' "$tmp/sa.out" | head -n 20 |
		    sed 's/^/#   /'
	fi
	if [ -n "$score" ] && $PY -c 'import sys; sys.exit(0 if float(sys.argv[1]) <= 2.0 else 1)' "$score"; then
		ok "estd.service exposure $score is at most 2.0"
	else
		notok "estd.service exposure ${score:-unknown} is at most 2.0"
	fi
fi

echo "# $n checks, $failed failed"
[ "$failed" -eq 0 ]
