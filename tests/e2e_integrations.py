#!/usr/bin/python3
"""e2e_integrations: estd's calls out over HTTP, end to end, with the real
estd and estctl against HTTP servers on loopback run by this script.

1. Police notices (estctl police fetch / list, estctl picture). A fixture
   of the police API serves realistic notices: Swedish text, relative
   links, a single-digit hour, one notice malformed, one outside the
   configured locations, one at the last minute of week 47 and one at
   00:10 of week 48. Then, in turn: a second call within 10 s is refused
   without reaching the API; a redirect that is followed and logged; 304
   for the ETag given; an answer with an updated notice, a type never
   seen before and new notices; 429 with Retry-After, honoured (the API
   is not called again before it); malformed JSON, a truncated body, a
   body over the size cap and a server slower than the timeout, each a
   clear error that keeps what was stored; https to a server that speaks
   no TLS. Each notice is stored once, the update kept, and counted in
   the period its datetime falls in (police list, the picture JSON and
   text).
2. Webhooks (estd, estctl webhooks / webhooks flush). History imported so
   that the digest of week 47 opens a flag; estd started on Monday of
   week 48 queues picture.compiled, flag.opened and digest.sent for a
   signed JSON webhook and flag.opened for a Slack one, while the
   receiver is down. Mail is spooled while the police call (a server
   that never answers) is still waiting, and SIGTERM cuts that call
   short. The receiver then comes up, fails each delivery twice and
   accepts the third: exactly one accepted delivery per event, every
   body the same across attempts with a valid HMAC-SHA256 signature, no
   person and no free text in any body.

The clock is set with ESTD_NOW. Prints TAP lines; exits 1 on any failure.
Standard library only; every wait is bounded and every process and server
started is stopped at exit. ESTD_KEEP=1 keeps the temporary directory
when something failed.
"""

import email
import email.policy
import glob
import hashlib
import hmac
import http.server
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import estdtest  # noqa: E402
from estdtest import (BASE_URL, PROCS, Estd, closed_port, diag,  # noqa: E402
                      estctl, kill_proc, later, main, run_estctl, run_parts,
                      tap, wait_until)

THURSDAY_47 = "2026-11-19T10:00:00+01:00"
MONDAY_48 = "2026-11-23T08:00:30+01:00"
SECRET = "hemlig nyckel för webhooks"
NOTE = "Krossad busskur vid torget"

SERVERS = []


class Server:
    """An HTTP server on 127.0.0.1 in a thread of this script; `handler`
    is a BaseHTTPRequestHandler class with a `fixture` attribute set to
    this object."""

    def __init__(self, handler, port=0):
        handler.fixture = self
        self.lock = threading.Lock()
        self.requests = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                     handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()
        SERVERS.append(self)

    def stop(self):
        if self.thread is None:
            return
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread = None


# ---- The police API fixture.

def notice(id, when, typ, where, summary, url=None):
    day = int(when[8:10])
    return {"id": id, "datetime": when,
            "name": "%d november %s, %s, %s" % (day, when[11:16].strip(),
                                                typ, where),
            "summary": summary,
            "url": url or "/aktuellt/handelser/2026/november/%d/%d/" %
            (day, id),
            "type": typ,
            "location": {"name": where,
                         "gps": "59.27412,15.2066" if where == "Örebro"
                         else "59.127,15.144"}}


ANSWER_1 = [
    notice(700001, "2026-11-20 8:05:00 +01:00", "Stöld", "Örebro",
           "Misstänkt stöld i butik på Väster.",
           "/aktuellt/handelser/2026/november/20/20-november-07.40-stold-"
           "orebro/"),
    notice(700002, "2026-11-18 21:30:12 +01:00", "Misshandel", "Örebro",
           "En man i 30-årsåldern misshandlad vid Järntorget."),
    notice(700003, "2026-11-19 14:02:00 +01:00", "Brand", "Kumla",
           "Brand i förråd, räddningstjänsten på plats."),
    notice(700004, "2026-11-19 10:00:00 +01:00", "Trafikolycka",
           "Lindesberg", "Två bilar har kolliderat."),
    notice(700005, "2026-11-22 23:59:00 +01:00", "Stöld", "Örebro",
           "Cykelstöld vid resecentrum."),
    notice(700006, "2026-11-23 0:10:00 +01:00", "Rån", "Örebro",
           "Rån mot person på Södermalm, gärningsmannen okänd."),
    {"id": 700010, "name": "Trasig notis", "type": "Brand",
     "location": {"name": "Örebro"}},
]

ANSWER_2 = [
    notice(700001, "2026-11-20 9:45:00 +01:00", "Stöld", "Örebro",
           "Uppdatering: två personer är gripna för stölden.",
           "/aktuellt/handelser/2026/november/20/20-november-07.40-stold-"
           "orebro/"),
    notice(700003, "2026-11-19 14:02:00 +01:00", "Brand", "Kumla",
           "Brand i förråd, räddningstjänsten på plats."),
    notice(700007, "2026-11-21 2:15:00 +01:00", "Sexualbrott", "Örebro",
           "Anmälan om sexualbrott i centrala Örebro."),
    notice(700008, "2026-11-16 0:00:00 +01:00", "Skadegörelse", "Kumla",
           "Glaskross vid skolan."),
    notice(700009, "2026-11-15 23:59:59 +01:00", "Skadegörelse", "Kumla",
           "Klotter på busskur."),
]


class PoliceHandler(http.server.BaseHTTPRequestHandler):
    """Answers each request with the next behaviour of fixture.queue,
    or an empty list when none is left."""
    fixture = None
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        f = self.fixture
        with f.lock:
            f.requests.append({"path": self.path,
                               "headers": {k.lower(): v for k, v in
                                           self.headers.items()}})
            b = f.queue.pop(0) if f.queue else ("json", 200, [], {})
        kind = b[0]
        try:
            if kind == "json":
                _, status, doc, headers = b
                body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
                self.answer(status, body, headers)
            elif kind == "raw":
                _, status, body, headers = b
                self.answer(status, body, headers)
            elif kind == "redirect":
                self.answer(301, b"", {"Location": b[1]})
            elif kind == "truncated":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "5000")
                self.end_headers()
                self.wfile.write(b'[{"id": 700011, "datetime": "2026-11-2')
                self.wfile.flush()
                self.close_connection = True
            elif kind == "huge":
                size = 5 * 1024 * 1024
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                self.wfile.write(b"[" + b" " * (size - 2) + b"]")
            elif kind == "slow":
                time.sleep(b[1])
                self.answer(200, b"[]", {})
        except OSError:
            pass

    def answer(self, status, body, headers):
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)


def police_server():
    s = Server(PoliceHandler)
    s.queue = []
    return s


# ---- The webhook receiver.

class HookHandler(http.server.BaseHTTPRequestHandler):
    """Fails the first `fail_first` requests of each (path, delivery)
    with 500, then accepts with 200; records every request."""
    fixture = None
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        f = self.fixture
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        key = (self.path, self.headers.get("X-Estd-Delivery", ""))
        with f.lock:
            f.seen[key] = f.seen.get(key, 0) + 1
            ok = f.seen[key] > f.fail_first
            f.requests.append({"path": self.path, "body": body, "ok": ok,
                               "headers": {k.lower(): v for k, v in
                                           self.headers.items()}})
        out = b'{"ok": true}' if ok else b"receiver busy"
        self.send_response(200 if ok else 500)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)


def hook_server(port, fail_first):
    s = Server(HookHandler, port)
    s.seen = {}
    s.fail_first = fail_first
    return s


# ---- Configuration and the daemon.

def write_conf(dir, police_url, hook_port=None, police_timeout=5):
    text = ("[police]\n"
            "enabled = true\n"
            "url = %s\n"
            "locations = Örebro, Kumla\n"
            "interval = 60\n"
            "timeout = %d\n" % (police_url, police_timeout))
    if hook_port is not None:
        text += ("[webhook siem]\n"
                 "url = http://127.0.0.1:%d/siem\n"
                 "secret = \"%s\"\n"
                 "[webhook chat]\n"
                 "url = http://127.0.0.1:%d/chat\n"
                 "events = flag.opened\n"
                 "format = slack\n" % (hook_port, SECRET, hook_port))
    return estdtest.write_conf(dir, None, text)


# ---- 1. Police notices.

def police_list(conf, now, period):
    return json.loads(estctl(conf, now, "police", "list", period, "--json"))


def part_police(dir):
    api = police_server()
    url = "http://127.0.0.1:%d/api/events" % api.port
    conf = write_conf(dir, url)
    estctl(conf, THURSDAY_47, "init")
    estctl(conf, THURSDAY_47, "area", "add", "centrum", "Centrum")
    now = THURSDAY_47

    # The first answer.
    api.queue.append(("json", 200, ANSWER_1, {"ETag": '"v1"'}))
    rc, out, err = run_estctl(conf, now, "police", "fetch")
    tap(rc == 0 and "6 notices fetched: 6 new, 0 updated, 0 unchanged; "
        "1 malformed and skipped" in out,
        "police fetch: 6 notices stored, the malformed one skipped")
    if rc != 0 or "6 new" not in out:
        diag(out + err)
    req = api.requests[0] if api.requests else {"path": "", "headers": {}}
    tap(req["path"] == "/api/events?locationname=%C3%96rebro;Kumla",
        "the request names the locations, percent-encoded and ;-separated")
    tap(req["headers"].get("user-agent") == "estd/0.1.0 (+%s)" % BASE_URL,
        "the User-Agent names estd, its version and base_url")
    tap("if-none-match" not in req["headers"],
        "no If-None-Match before an ETag was given")

    # A second call at once is refused before reaching the API.
    n = len(api.requests)
    rc, out, err = run_estctl(conf, now, "police", "fetch")
    tap(rc == 1 and "not fetched" in err and len(api.requests) == n,
        "a second call within 10 s is refused without calling the API")

    # A redirect, followed and logged, then 304 for the ETag.
    now = later(now, 60)
    api.queue.append(("redirect", "/api/v2/events?locationname=x"))
    api.queue.append(("raw", 304, b"", {"ETag": '"v1"'}))
    rc, out, err = run_estctl(conf, now, "police", "fetch")
    tap(rc == 0 and "not modified" in out,
        "304 Not Modified: nothing new, nothing changed")
    tap("police: redirected (301) to /api/v2/events?locationname=x" in err,
        "the redirect was followed and logged")
    last = api.requests[-1]
    tap(last["path"] == "/api/v2/events?locationname=x" and
        last["headers"].get("if-none-match") == '"v1"',
        "the ETag went back as If-None-Match")

    # Updates and new notices; history is kept beyond the answer.
    now = later(now, 60)
    api.queue.append(("json", 200, ANSWER_2, {"ETag": '"v2"'}))
    rc, out, err = run_estctl(conf, now, "police", "fetch")
    tap(rc == 0 and "5 notices fetched: 3 new, 1 updated, 1 unchanged" in
        out, "second answer: 3 new, the update kept, 1 unchanged")
    if rc != 0:
        diag(out + err)

    # 429 with Retry-After: honoured.
    now = later(now, 60)
    api.queue.append(("raw", 429, b'{"error": "too many requests"}',
                      {"Retry-After": "600"}))
    rc, out, err = run_estctl(conf, now, "police", "fetch")
    tap(rc == 1 and "429" in err and "Retry-After" in err,
        "429: a clear error naming the Retry-After")
    n = len(api.requests)
    rc, out, err = run_estctl(conf, later(now, 300), "police", "fetch")
    tap(rc == 1 and "not fetched" in err and len(api.requests) == n,
        "no call before the Retry-After has passed")

    # What breaks: each a clear error, nothing stored changes.
    now = later(now, 660)
    for what, behaviour, words in [
            ("malformed JSON", ("raw", 200, b'[{"id": 1,, "type": ]', {}),
             "not JSON"),
            ("a truncated body", ("truncated",), "cut off"),
            ("a body over the size cap", ("huge",), "larger than"),
            ("a server slower than the timeout", ("slow", 8),
             "no answer within 5 s")]:
        api.queue.append(behaviour)
        t0 = time.monotonic()
        rc, out, err = run_estctl(conf, now, "police", "fetch")
        took = time.monotonic() - t0
        tap(rc == 1 and words in err and err.count("\n") == 1 and
            took < 7.5, "%s: one clear line (%s), exit 1, no crash"
            % (what, words))
        if rc != 1 or words not in err:
            diag("exit %d: %s" % (rc, err))
        now = later(now, 60)

    # What is stored, and where it is counted.
    w47 = police_list(conf, now, "2026-W47")
    types = [(t["type"], t["count"]) for t in w47["types"]]
    tap(w47["total"] == 6 and types == [
        ("Stöld", 2), ("Brand", 1), ("Misshandel", 1), ("Sexualbrott", 1),
        ("Skadegörelse", 1)], "week 47: 6 notices, counted by type")
    if w47["total"] != 6:
        diag(json.dumps(w47, ensure_ascii=False, indent=1)[:2000])
    ids = sorted(n["id"] for n in w47["notices"])
    tap(ids == [700001, 700002, 700003, 700005, 700007, 700008],
        "each notice once, Lindesberg left out, 23:59 of Sunday in week 47")
    upd = [n for n in w47["notices"] if n["id"] == 700001]
    tap(len(upd) == 1 and upd[0]["revision"] == 2 and
        upd[0]["summary"].startswith("Uppdatering: två personer") and
        upd[0]["datetime"] == "2026-11-20 9:45:00 +01:00" and
        upd[0]["url"] == "http://127.0.0.1:%d/aktuellt/handelser/2026/"
        "november/20/20-november-07.40-stold-orebro/" % api.port,
        "the updated notice: its new text, revision 2, an absolute link")
    w48 = police_list(conf, now, "2026-W48")
    tap(w48["total"] == 1 and w48["notices"][0]["id"] == 700006 and
        w48["types"] == [{"type": "Rån", "count": 1}],
        "00:10 on Monday (a single-digit hour) counts in week 48")
    w46 = police_list(conf, now, "2026-W46")
    tap(w46["total"] == 1 and w46["notices"][0]["id"] == 700009,
        "23:59:59 on Sunday counts in week 46")

    pic = json.loads(estctl(conf, now, "picture", "2026-W47", "--json"))
    pe = pic.get("police_events", {})
    tap(pe.get("total") == 6 and pe.get("locations") == ["Örebro", "Kumla"]
        and pe.get("types", [{}])[0] == {"type": "Stöld", "count": 2} and
        "mittpunkt" in pe.get("note", ""),
        "the picture JSON has police_events with the caveat")
    text = estctl(conf, now, "picture", "2026-W47", "--text")
    tap("Polisens händelsenotiser (Örebro, Kumla): 6." in text and
        "  Stöld: 2" in text, "the picture text has its police section")
    html = estctl(conf, now, "picture", "2026-W47", "--html")
    tap('<div class="police">' in html and
        "<tr><td>Skadegörelse</td><td>1</td></tr>" in html and
        '<p class="caveat">' in html,
        "the picture HTML has its police section")

    # https to a server that speaks no TLS.
    tdir = os.path.join(dir, "tls")
    os.makedirs(tdir)
    tconf = write_conf(tdir, "https://127.0.0.1:%d/api/events" % api.port)
    estctl(tconf, THURSDAY_47, "init")
    rc, out, err = run_estctl(tconf, THURSDAY_47, "police", "fetch")
    tap(rc == 1 and "TLS failed" in err, "a TLS failure: one clear line")
    api.stop()


# ---- 2. Webhooks.

HISTORY = ("period,area,reporter_email,indicator,rating,count,note\n"
           "2026-W45,centrum,,skadegorelse,3,2,\n"
           "2026-W45,centrum,,klotter,1,,\n"
           "2026-W46,centrum,,skadegorelse,3,4,\n"
           "2026-W47,centrum,,skadegorelse,3,5,%s\n"
           "2026-W47,centrum,,klotter,2,,\n"
           "2026-W47,soder,,klotter,0,,\n" % NOTE)


def hooks(conf, now):
    return json.loads(estctl(conf, now, "webhooks", "--json"))


def flush(conf, now):
    out = estctl(conf, now, "webhooks", "flush")
    m = re.search(r"(\d+) attempted: (\d+) delivered, (\d+) deferred, "
                  r"(\d+) failed", out)
    return tuple(int(x) for x in m.groups()) if m else None


def part_webhooks(dir):
    api = police_server()
    hook_port = closed_port()
    conf = write_conf(dir, "http://127.0.0.1:%d/api/events" % api.port,
                      hook_port, police_timeout=20)
    now = THURSDAY_47
    estctl(conf, now, "init")
    estctl(conf, now, "area", "add", "centrum", "Centrum")
    estctl(conf, now, "area", "add", "soder", "Söder")
    estctl(conf, now, "person", "add", "--name", "Lena Nyckel", "--email",
           "lena@example.se", "--org", "kommunen", "--role", "keyfunction",
           "--all-areas")
    hist = os.path.join(dir, "history.csv")
    with open(hist, "w", encoding="utf-8") as f:
        f.write(HISTORY)
    estctl(conf, now, "import", hist)

    # The police API never answers while estd runs.
    api.queue.append(("slow", 40))
    spool = os.path.join(dir, "spool")
    d = Estd(conf, os.path.join(dir, "estd.log"), MONDAY_48)
    got = wait_until(lambda: "digest of 2026-W47: 1 mails queued" in
                     d.text(), 20)
    tap(got, "estd on Monday of week 48 queues the digest of week 47")
    if not got:
        diag(d.text()[-2000:])
    tries = wait_until(lambda: len(re.findall(r"webhook \d+ \([a-z.]+ to "
                                              r"(?:siem|chat)\): attempt 1 "
                                              r"failed", d.text())) >= 4, 20)
    tap(tries, "the four deliveries were tried while the receiver was "
        "down, and deferred")
    called = wait_until(lambda: len(api.requests) >= 1, 20)
    spooled = wait_until(lambda: glob.glob(os.path.join(spool, "*.eml")),
                         5, 0.05)
    text = d.text()
    tap(called and bool(spooled) and "police:" not in text,
        "the digest mail was spooled while the police call was waiting")
    body = ""
    if spooled:
        with open(spooled[0], "rb") as f:
            msg = email.message_from_bytes(f.read(),
                                           policy=email.policy.default)
        part = msg.get_body(preferencelist=("plain",))
        body = part.get_content().replace("\r\n", "\n") \
            if part is not None else ""
    tap("Polisens händelsenotiser\n" in body and
        "Inga notiser för Örebro, Kumla denna period." in body and
        "mittpunkt" in body,
        "the digest mail has its police section, with the caveat")
    t0 = time.monotonic()
    rc = d.terminate(30.0)
    took = time.monotonic() - t0
    tap(rc == 0 and took < 8,
        "SIGTERM cut the police call short (%.1f s) and estd exited 0"
        % took)

    flags = json.loads(estctl(conf, MONDAY_48, "flags", "--json"))["flags"]
    tap(len(flags) == 1 and flags[0]["area"] == "centrum" and
        flags[0]["indicator"] == "skadegorelse",
        "the digest opened one flag (centrum, skadegörelse)")
    opened = flags[0]["opened"] if flags else "?"

    hb = hooks(conf, MONDAY_48)
    kinds = sorted((x["webhook"], x["event"]) for x in hb["deliveries"])
    tap(kinds == [("chat", "flag.opened"), ("siem", "digest.sent"),
                  ("siem", "flag.opened"), ("siem", "picture.compiled")] and
        all(x["state"] == "queued" and x["attempts"] == 1 and
            "cannot connect" in (x["last_error"] or "")
            for x in hb["deliveries"]),
        "estctl webhooks: four deliveries queued, one attempt each, the "
        "error recorded")

    # The receiver comes up; it fails each delivery twice.
    recv = hook_server(hook_port, 2)
    t = later(MONDAY_48, 600)
    r1 = flush(conf, t)
    r2 = flush(conf, later(MONDAY_48, 3600))
    r3 = flush(conf, later(MONDAY_48, 3 * 3600))
    r4 = flush(conf, later(MONDAY_48, 6 * 3600))
    tap(r1 == (4, 0, 4, 0) and r2 == (4, 0, 4, 0) and r3 == (4, 4, 0, 0)
        and r4 == (0, 0, 0, 0),
        "retried with back-off: 500, 500, then delivered; nothing after")
    if r3 != (4, 4, 0, 0):
        diag("flushes: %r %r %r %r" % (r1, r2, r3, r4))
    recv.stop()

    reqs = recv.requests
    accepted = {}
    for r in reqs:
        if r["ok"]:
            k = (r["path"], r["headers"].get("x-estd-delivery"))
            accepted[k] = accepted.get(k, 0) + 1
    tap(len(reqs) == 12 and len(accepted) == 4 and
        all(v == 1 for v in accepted.values()),
        "exactly one accepted delivery per event and webhook")

    by_id = {}
    for r in reqs:
        by_id.setdefault((r["path"], r["headers"].get("x-estd-delivery")),
                         []).append(r["body"])
    tap(all(len(set(b)) == 1 and len(b) == 3 for b in by_id.values()),
        "each event's body and id are the same on every attempt")

    siem = [r for r in reqs if r["path"] == "/siem"]
    good_sig = all(r["headers"].get("x-estd-signature") == "sha256=" +
                   hmac.new(SECRET.encode("utf-8"), r["body"],
                            hashlib.sha256).hexdigest() for r in siem)
    tap(len(siem) == 9 and good_sig,
        "every siem delivery carries a valid HMAC-SHA256 signature")
    chat = [r for r in reqs if r["path"] == "/chat"]
    tap(len(chat) == 3 and all("x-estd-signature" not in r["headers"]
                               for r in chat),
        "the webhook without a secret is not signed")

    docs = {}
    for r in siem:
        doc = json.loads(r["body"])
        docs[doc["type"]] = doc
        if r["headers"].get("x-estd-event") != doc["type"] or \
           r["headers"].get("x-estd-delivery") != doc["id"]:
            docs["mismatch"] = True
    tap(sorted(docs) == ["digest.sent", "flag.opened", "picture.compiled"],
        "siem got picture.compiled, flag.opened and digest.sent, headers "
        "matching the body")
    fo = docs.get("flag.opened", {}).get("data", {})
    tap(fo.get("area") == "centrum" and fo.get("indicator_name") ==
        "Skadegörelse" and fo.get("opened") == opened and
        fo.get("url") == BASE_URL + "/k/picture/2026-W47" and
        re.fullmatch(r"evt_[0-9a-f]{32}",
                     docs.get("flag.opened", {}).get("id", "")) is not None,
        "flag.opened names the area, indicator and period, with a stable id")
    pc = docs.get("picture.compiled", {}).get("data", {})
    tap(pc.get("period") == "2026-W47" and pc.get("counts", {}).get("red")
        == 1 and pc.get("flags_open") == 1 and
        "police_events" in pc, "picture.compiled carries the counts")
    ds = docs.get("digest.sent", {}).get("data", {})
    tap(ds.get("period") == "2026-W47" and ds.get("mails") == 1,
        "digest.sent counts the mails queued")
    everything = b"".join(r["body"] for r in reqs).decode("utf-8")
    tap("@" not in everything and "Lena" not in everything and
        "Krossad" not in everything and "busskur" not in everything,
        "no person and no free text in any body")
    slack = json.loads(chat[-1]["body"]) if chat else {}
    tap(slack.get("text", "").startswith("*Kvarstående problem: Centrum, "
                                         "Skadegörelse*\nKvarstående sedan "),
        "the Slack webhook got a Slack message")

    hb = hooks(conf, later(MONDAY_48, 6 * 3600))
    tap(hb["counts"]["delivered"] == 4 and hb["counts"]["queued"] == 0 and
        all(x["attempts"] == 4 and x["last_status"] == 200
            for x in hb["deliveries"]),
        "estctl webhooks: all four delivered after four attempts")
    api.stop()


PARTS = [("police notices", part_police), ("webhooks", part_webhooks)]


def after_part():
    for p in PROCS:
        kill_proc(p)
    for s in SERVERS:
        try:
            s.stop()
        except Exception:
            pass
    SERVERS.clear()


if __name__ == "__main__":
    main(lambda: run_parts("integrations", PARTS, after_part))
