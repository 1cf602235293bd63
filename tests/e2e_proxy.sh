#!/bin/sh
# e2e_proxy: config/nginx-estd.conf in front of a real estd, and
# estd's own answers to the same requests.
#
# estd is built on Debian 12's libmicrohttpd 0.9.75, which predates the
# upstream fixes for request smuggling, so it must only be reached
# through the proxy. This test runs Debian's nginx in the foreground
# with the sample site (plain HTTP on a loopback port instead of TLS;
# every other setting as shipped) in front of an estd in a temporary
# directory, and sends raw requests from Python sockets (curl would
# normalise them):
#  - through nginx, smuggling attempts (two different Content-Length
#    headers, Content-Length with Transfer-Encoding: chunked, a folded
#    header line, a bad chunk size) must be refused with 400 or the
#    connection closed, never a 2xx, and store nothing; a normal POST
#    still gets 201, a body over 64 KiB gets 413, /metrics is not
#    passed on, tokens do not reach the access log, and the stricter
#    rate limit of /r/ answers 429;
#  - directly against estd, the same attempts are recorded ("# direct:"
#    lines say what libmicrohttpd 0.9.75 did) and estd must never
#    answer 2xx to an ambiguous request nor store a report from one
#    (checked with estctl reports PERIOD --json).
#
# Needs build/estd and build/estctl (make all), nginx and python3
# (standard library only). nginx is installed with apt-get when missing
# and the test runs as root. Prints one TAP line per check ("ok - ..." /
# "not ok - ...") and exits 1 if any failed. Every wait is bounded;
# nginx and estd are stopped and the temporary directory removed on
# exit (kept when a check failed and ESTD_KEEP=1 is set).
set -u
cd "$(dirname "$0")/.." || exit 1
# shellcheck source=tests/lib.sh
. tests/lib.sh
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NOW=2026-11-18T10:00:00+01:00
PERIOD=2026-W47
SAMPLE=$top/config/nginx-estd.conf

lib_init proxy
npid=

cleanup() {
	stop_pid "$npid"
	npid=
	stop_pid "$pid"
	pid=
	lib_cleanup
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

estctl() {
	ESTD_NOW=$NOW "$ESTCTL" -c "$conf" "$@"
}

copy_binaries

NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
if [ ! -x "$NGINX" ] && [ "$(id -u)" -eq 0 ] &&
    command -v apt-get >/dev/null 2>&1; then
	echo "# installing Debian's nginx"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends nginx >"$tmp/apt.log" 2>&1
	NGINX=/usr/sbin/nginx
fi
if [ -x "$NGINX" ]; then
	ok "nginx is installed: $("$NGINX" -v 2>&1)"
else
	notok "nginx is installed (Debian package nginx)"
	diag "$tmp/apt.log"
	exit 1
fi

# ---------------------------------------------------------------------
# estd in the temporary directory: two areas' worth of reporters, one
# for each raw request, so each one's report can be looked for.
write_conf
# Behind the proxy every request comes from 127.0.0.1, so estd's own
# count of failed links per address would be one count for all clients;
# as SECURITY.md advises, it is raised and nginx limits per address.
# Here that also makes every 429 below nginx's.
sed -i 's/^listen = .*/&\nfailed_token_limit = 10000/' "$conf"

if estctl init >"$tmp/init.out" 2>&1 &&
    estctl area add centrum Centrum >>"$tmp/init.out" 2>&1; then
	ok "estctl init and area add"
else
	notok "estctl init and area add"
	diag "$tmp/init.out"
	exit 1
fi

CASES="dup-cl dup-cl-short cl-te te-cl obs-fold bad-chunk"
: >"$tmp/tokens"
for who in edge-normal edge-big edge-chunked-big direct-normal \
    $(for c in $CASES; do echo "edge-$c direct-$c"; done); do
	if ! estctl person add --name "$who" --email "$who@example.org" \
	    --org Test --role reporter --area centrum >"$tmp/p.out" \
	    2>"$tmp/p.err"; then
		notok "estctl person add $who"
		diag "$tmp/p.err"
		exit 1
	fi
	tok=$(tail -n 1 "$tmp/p.out" | sed -n 's|.*/r/\([A-Za-z0-9_-]*\)$|\1|p')
	echo "$who $tok" >>"$tmp/tokens"
done
ok "estctl person add: one reporter per request ($(wc -l <"$tmp/tokens"))"
token() {
	sed -n "s/^$1 //p" "$tmp/tokens"
}

if estd_start "$NOW"; then
	ok "estd starts on 127.0.0.1:$port"
else
	notok "estd starts and says it is listening within 10 s"
	diag "$tmp/estd.log"
	exit 1
fi

# ---------------------------------------------------------------------
# The raw client. raw.py PORT CASE TOKEN sends one request built for
# CASE on a fresh connection, reads until the server closes or has been
# quiet for 1.5 s (at most 8 s), and prints "STATUSES CLOSED", e.g.
# "400 closed" or "201 open" ("-" when no answer came). A second status
# means the server read part of the request as a request of its own.
cat >"$tmp/raw.py" <<'EOF'
import json, re, socket, sys, time

port, case, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
body = json.dumps({"area": "centrum", "ratings": {"klotter": 1},
                   "note": "raw " + case}).encode()
n = str(len(body)).encode()
chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
head = (b"POST /api/v1/reports HTTP/1.1\r\nHost: est.kommun.example\r\n"
        b"Authorization: Bearer " + token.encode() + b"\r\n"
        b"Content-Type: application/json\r\n")
big = json.dumps({"area": "centrum", "ratings": {"klotter": 1},
                  "note": "x" * 70000}).encode()
cases = {
    "normal": (b"Content-Length: " + n + b"\r\n", body),
    # Two Content-Length headers that disagree: the body is sent whole,
    # and a parser that believes the second one would see a short body
    # followed by the start of another request.
    "dup-cl": (b"Content-Length: " + n + b"\r\nContent-Length: 5\r\n", body),
    "dup-cl-short": (b"Content-Length: 5\r\nContent-Length: " + n + b"\r\n",
                     body),
    # Both framings at once, the classic CL.TE and TE.CL smuggling.
    "cl-te": (b"Content-Length: " + n + b"\r\nTransfer-Encoding: chunked\r\n",
              chunked),
    "te-cl": (b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n",
              chunked),
    # Obsolete line folding (RFC 9112 5.2) hiding a Transfer-Encoding
    # in the continuation of another header.
    "obs-fold": (b"X-Note: a\r\n Transfer-Encoding: chunked\r\n"
                 b"Content-Length: " + n + b"\r\n", body),
    # A chunk size that is not hexadecimal.
    "bad-chunk": (b"Transfer-Encoding: chunked\r\n",
                  b"5z\r\n" + body + b"\r\n0\r\n\r\n"),
    "big": (b"Content-Length: " + str(len(big)).encode() + b"\r\n", big),
    "chunked-big": (b"Transfer-Encoding: chunked\r\n",
                    b"%x\r\n" % len(big) + big + b"\r\n0\r\n\r\n"),
}
hdrs, payload = cases[case]
raw = head + hdrs + b"\r\n" + payload

s = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    s.sendall(raw)
except OSError:
    pass  # refused early (413): still read the answer
data, closed = b"", False
deadline = time.time() + 8
s.settimeout(1.5)
while time.time() < deadline:
    try:
        b = s.recv(65536)
    except socket.timeout:
        break
    except OSError:
        closed = True
        break
    if not b:
        closed = True
        break
    data += b
s.close()
st = re.findall(rb"(?:^|\r\n)HTTP/1\.[01] (\d{3}) ", data)
print(",".join(x.decode() for x in st) or "-",
      "closed" if closed else "open")
EOF

# raw NAME PORT CASE WHO: run raw.py; "STATUSES CLOSED" into $answer.
raw() {
	answer=$($PY "$tmp/raw.py" "$2" "$3" "$(token "$4")" 2>"$tmp/$1.err")
	[ -n "$answer" ] || answer="- error"
}

# refused ANSWER: 0 if no 2xx came and either a 400 came or the
# connection was closed.
refused() {
	case ",${1% *}," in
	*,2[0-9][0-9],*) return 1 ;;
	esac
	case "$1" in
	*400* | *" closed") return 0 ;;
	esac
	return 1
}

# ---------------------------------------------------------------------
# nginx with the sample site. Plain HTTP on a loopback port instead of
# 443 with TLS (no certificate needed), estd's port for 8080, files
# under the temporary directory; every other line as shipped.
if [ ! -f "$SAMPLE" ]; then
	notok "config/nginx-estd.conf exists"
	exit 1
fi
mkdir -p "$tmp/nginx/log" "$tmp/nginx/tmp" "$tmp/nginx/www" \
    "$tmp/nginx/ssl"
ports=$($PY -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
')
nport=${ports%% *}
rport=${ports#* }
tport=${rport#* }
rport=${rport%% *}
nd=$tmp/nginx
sed -e "s|^\(\s*\)listen 443 ssl http2;|\1listen 127.0.0.1:$nport;|" \
    -e "s|^\(\s*\)listen 80;|\1listen 127.0.0.1:$rport;|" \
    -e '/^\s*listen \[::\]/d' \
    -e '/^\s*ssl_/d' \
    -e "s|127\.0\.0\.1:8080|127.0.0.1:$port|" \
    -e "s|/var/log/nginx/|$nd/log/|g" \
    -e "s|/var/www/acme|$nd/www|" \
    "$SAMPLE" >"$nd/site.conf"
cat >"$nd/nginx.conf" <<CONF
# One process in the foreground, everything under $nd.
daemon off;
master_process off;
worker_processes 1;
pid $nd/nginx.pid;
error_log $nd/log/main-error.log notice;
events {
	worker_connections 128;
}
http {
	default_type application/octet-stream;
	client_body_temp_path $nd/tmp/body;
	proxy_temp_path $nd/tmp/proxy;
	fastcgi_temp_path $nd/tmp/fastcgi;
	uwsgi_temp_path $nd/tmp/uwsgi;
	scgi_temp_path $nd/tmp/scgi;
	include $nd/site.conf;
}
CONF

# The sample as shipped (TLS and all) must pass nginx -t, given a
# certificate; a throwaway self-signed one when openssl is there.
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj \
	    /CN=est.kommun.example -keyout "$nd/ssl/privkey.pem" \
	    -out "$nd/ssl/fullchain.pem" >"$nd/openssl.log" 2>&1
	sed -e "s|^\(\s*\)listen 443 |\1listen 127.0.0.1:$tport |" \
	    -e "s|^\(\s*\)listen 80;|\1listen 127.0.0.1:$rport;|" \
	    -e '/^\s*listen \[::\]/d' \
	    -e "s|/etc/ssl/est.kommun.example/|$nd/ssl/|" \
	    -e "s|/var/log/nginx/|$nd/log/|g" \
	    -e "s|/var/www/acme|$nd/www|" \
	    "$SAMPLE" >"$nd/site-tls.conf"
	sed "s|$nd/site.conf|$nd/site-tls.conf|" "$nd/nginx.conf" \
	    >"$nd/nginx-tls.conf"
	if "$NGINX" -t -p "$nd/" -c "$nd/nginx-tls.conf" -e \
	    "$nd/log/early.log" >"$nd/t.out" 2>&1; then
		ok "nginx -t accepts config/nginx-estd.conf as shipped (TLS, HSTS)"
	else
		notok "nginx -t accepts config/nginx-estd.conf as shipped"
		diag "$nd/t.out" 20
	fi
else
	ok "nginx -t of the TLS sample # SKIP openssl is not installed"
fi

"$NGINX" -p "$nd/" -c "$nd/nginx.conf" -e "$nd/log/early.log" \
    >"$nd/stdout.log" 2>&1 &
npid=$!
up=0
i=0
while [ "$i" -lt 100 ]; do
	if $PY -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=1).close()" \
	    "$nport" 2>/dev/null; then
		up=1
		break
	fi
	kill -0 "$npid" 2>/dev/null || break
	sleep 0.1
	i=$((i + 1))
done
if [ "$up" -eq 1 ]; then
	ok "nginx runs in the foreground on 127.0.0.1:$nport in front of estd"
else
	notok "nginx starts with the sample site within 10 s"
	diag "$nd/stdout.log" 20
	diag "$nd/log/early.log" 20
	diag "$nd/log/main-error.log" 20
	exit 1
fi

# ---------------------------------------------------------------------
# Through nginx.
raw edge-normal "$nport" normal edge-normal
case $answer in
201*) ok "through nginx: a normal POST /api/v1/reports gets 201" ;;
*) notok "through nginx: a normal POST /api/v1/reports gets 201 (got $answer)"
   diag "$tmp/estd.log" ;;
esac

for c in $CASES; do
	raw "edge-$c" "$nport" "$c" "edge-$c"
	if refused "$answer"; then
		ok "through nginx: $c is refused at the edge ($answer)"
	else
		notok "through nginx: $c is refused at the edge with 400 or a close (got $answer)"
	fi
done

raw edge-big "$nport" big edge-big
case $answer in
413*) ok "through nginx: a body over 64 KiB (Content-Length) gets 413" ;;
*) notok "through nginx: a body over 64 KiB (Content-Length) gets 413 (got $answer)" ;;
esac
raw edge-chunked-big "$nport" chunked-big edge-chunked-big
case $answer in
413*) ok "through nginx: a chunked body over 64 KiB gets 413" ;;
*) notok "through nginx: a chunked body over 64 KiB gets 413 (got $answer)" ;;
esac

# /metrics is loopback-only in estd, and every proxied request comes
# from loopback: the proxy must not pass it on.
mcode=$($PY - "$nport" "$port" <<'EOF'
import sys, urllib.request, urllib.error
out = []
for p in sys.argv[1:]:
    try:
        out.append(str(urllib.request.urlopen(
            "http://127.0.0.1:%s/metrics" % p, timeout=5).status))
    except urllib.error.HTTPError as e:
        out.append(str(e.code))
    except Exception:
        out.append("error")
print(" ".join(out))
EOF
)
if [ "$mcode" = "404 200" ]; then
	ok "GET /metrics: 404 through nginx, 200 from estd on loopback"
else
	notok "GET /metrics: 404 through nginx, 200 from estd on loopback (got $mcode)"
fi
# Nor under another spelling of the same path.
mcodes=$($PY - "$nport" <<'EOF'
import http.client, sys
out = []
for path in ("/%6detrics", "//metrics", "/r/../metrics", "/./metrics",
             "/metrics?x=1", "/METRICS"):
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
    c.request("GET", path)
    out.append("%s=%d" % (path, c.getresponse().status))
    c.close()
print(" ".join(out))
EOF
)
case " $mcodes" in
*=200*) notok "GET /metrics spelt otherwise is not passed on either ($mcodes)" ;;
*) ok "GET /metrics spelt otherwise is not passed on either ($mcodes)" ;;
esac

# HSTS and the estd security headers reach the client.
hdrs=$($PY - "$nport" <<'EOF'
import sys, urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/healthz" % sys.argv[1],
                           timeout=5)
print(r.status, r.headers.get("Strict-Transport-Security"),
      r.headers.get("Referrer-Policy"), r.headers.get("X-Forwarded-For"))
EOF
)
case $hdrs in
"200 max-age=31536000 no-referrer None")
	ok "GET /healthz through nginx: 200 with HSTS and Referrer-Policy: no-referrer" ;;
*)	notok "GET /healthz through nginx: 200 with HSTS and Referrer-Policy (got $hdrs)" ;;
esac

# ---------------------------------------------------------------------
# Directly against estd, as if it faced clients itself.
raw direct-normal "$port" normal direct-normal
case $answer in
201*) ok "direct: a normal POST gets 201" ;;
*) notok "direct: a normal POST gets 201 (got $answer)" ;;
esac
# A folded header line is not ambiguous to a server alone: RFC 9112
# 5.2 lets it either refuse the request or unfold the line into the
# header before it, and libmicrohttpd unfolds. What must not happen is
# the continuation being read as a header of its own (here a hidden
# Transfer-Encoding: chunked, which would make the JSON body a bad
# chunk); one answer, 201 or 400, shows it was not. It is refused at
# the edge above because a proxy and a server could disagree on it.
for c in $CASES; do
	raw "direct-$c" "$port" "$c" "direct-$c"
	echo "# direct: libmicrohttpd 0.9.75 answers $c with $answer"
	case $c,$answer in
	obs-fold,201\ * | obs-fold,400\ *)
		ok "direct: estd unfolds or refuses a folded header line ($answer)" ;;
	obs-fold,*)
		notok "direct: estd unfolds or refuses a folded header line (got $answer)" ;;
	*,2[0-9][0-9]* | *,*,2[0-9][0-9]*)
		notok "direct: estd answers $c without a 2xx (got $answer)" ;;
	*)	ok "direct: estd answers $c without a 2xx ($answer)" ;;
	esac
done
if kill -0 "$pid" 2>/dev/null; then
	ok "estd still runs after the raw requests"
else
	notok "estd still runs after the raw requests"
	diag "$tmp/estd.log"
fi

# ---------------------------------------------------------------------
# What was stored: exactly the normal reports.
if estctl reports "$PERIOD" --json >"$tmp/rep.json" 2>"$tmp/rep.err"; then
	ok "estctl reports $PERIOD --json"
else
	notok "estctl reports $PERIOD --json"
	diag "$tmp/rep.err"
fi
stored=$($PY - "$tmp/rep.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
print(" ".join(sorted(r["reporter"].split("@")[0] for r in d["reports"])))
EOF
)
echo "# stored: $stored"
for who in edge-normal direct-normal; do
	case " $stored " in
	*" $who "*) ok "the report of $who is stored" ;;
	*) notok "the report of $who is stored" ;;
	esac
done
for who in edge-big edge-chunked-big $(for c in $CASES; do
    echo "edge-$c"; [ "$c" = obs-fold ] || echo "direct-$c"; done); do
	case " $stored " in
	*" $who "*) notok "no report stored from the $who request" ;;
	*) ok "no report stored from the $who request" ;;
	esac
done

# ---------------------------------------------------------------------
# Last, as it uses up this address's allowance at the proxy.
# The stricter limit of the token paths: 60 a minute with a burst of 30
# per address, so 45 quick requests for an unknown link must meet 429.
codes=$($PY - "$nport" <<'EOF'
import sys, urllib.request, urllib.error
seen = {}
for i in range(45):
    url = "http://127.0.0.1:%s/r/%s" % (sys.argv[1], "A" * 42 + "B")
    try:
        c = urllib.request.urlopen(url, timeout=5).status
    except urllib.error.HTTPError as e:
        c = e.code
    seen[c] = seen.get(c, 0) + 1
print(" ".join("%d:%d" % kv for kv in sorted(seen.items())))
EOF
)
case " $codes" in
*" 429:"*) ok "through nginx: 45 quick GET /r/UNKNOWN meet the token-path limit ($codes)" ;;
*) notok "through nginx: 45 quick GET /r/UNKNOWN meet the token-path limit, 429 (got $codes)" ;;
esac

# No personal link in nginx's access log.
alltok=$(cut -d' ' -f2 "$tmp/tokens" | paste -sd'|' -)
unknown=$($PY -c 'print("A" * 42 + "B")')
if [ -s "$nd/log/estd-access.log" ] &&
    grep -q '"GET /r/- ' "$nd/log/estd-access.log" &&
    ! grep -Eq "$alltok|$unknown" \
    "$nd/log/estd-access.log" "$nd/log/estd-error.log" \
    "$nd/log/main-error.log" 2>/dev/null; then
	ok "nginx logs /r/- instead of the token"
else
	notok "nginx logs /r/- instead of the token"
	diag "$nd/log/estd-access.log" 5
fi

echo "# $n checks, $failed failed"
[ "$failed" -eq 0 ]
