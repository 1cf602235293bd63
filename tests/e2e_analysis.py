#!/usr/bin/python3
"""e2e_analysis: the quarterly analysis mail of estd end to end (contract
§8, "Analysis: when a quarter/tertial closes, to the steering group, with
the CSV attached"), with the real estd and estctl and a real SMTP server
on loopback (tests/smtpd_fixture.py).

A quarter of history (2026-Q3, weeks 27-39) is imported with estctl
import: Centrum clearly worst, Söder with a few yellow weeks, Norr calm.
Two active members of the steering group, one disabled, a key function.

1. Friday of week 39, the last week of the quarter: estd runs, the
   quarter has not closed, no analysis mail is sent.
2. Monday of week 40 just after 08:00 the digest of week 39 is due, so
   the quarter has closed: each active steering member receives exactly
   one mail, multipart/mixed with text and HTML in UTF-8 and the
   attachment analysis-2026-Q3.csv, which Python's csv module reads and
   which equals `estctl analysis 2026-Q3 --csv` and the API's CSV; the
   body names the areas with their Swedish characters intact, ranks
   Centrum first, carries the member's personal link and the same
   summary `estctl analysis 2026-Q3` prints. Nobody else gets one.
3. A restart at the same instant sends nothing again.

The clock is set with ESTD_NOW. ESTD_KEEP=1 keeps the temporary
directory when something failed. Prints TAP lines; exits 1 on any
failure. Standard library only (and the fixture, which needs Debian's
python3-aiosmtpd); every wait is bounded and every process started is
killed at exit.
"""

import csv
import email
import email.policy
import glob
import http.client
import io
import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("ESTD_BUILD", os.path.join(TOP, "build"))
BUILT_ESTD = os.path.join(BUILD, "estd")
BUILT_ESTCTL = os.path.join(BUILD, "estctl")
FIXTURE = os.path.join(TOP, "tests", "smtpd_fixture.py")
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) \
    else sys.executable
ESTD = ESTCTL = None

BASE_URL = "https://est.example.se"
FROM = "EST lägesbild <est@example.org>"
FRIDAY_39 = "2026-09-25T12:00:30+02:00"
MONDAY_40 = "2026-09-28T08:00:30+02:00"
CSV_HEADER = ["period", "area", "indicator", "mean_score",
              "periods_elevated", "previous_mean_score",
              "last_year_mean_score", "flagged"]

failures = 0
tests = 0
PROCS = []


def tap(good, text):
    global failures, tests
    tests += 1
    if not good:
        failures += 1
    print("%s - %s" % ("ok" if good else "not ok", text), flush=True)
    return good


def diag(text):
    for line in str(text).splitlines():
        print("#   " + line, flush=True)


def wait_until(pred, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def kill_proc(p):
    if p.poll() is None:
        try:
            p.kill()
        except OSError:
            pass
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


class Fixture:
    """tests/smtpd_fixture.py in `dir`: the relay."""

    def __init__(self, dir):
        self.dir = dir
        os.makedirs(dir, exist_ok=True)
        self.err = open(os.path.join(dir, "fixture.stderr"), "ab")
        self.proc = subprocess.Popen(
            [PYTHON, FIXTURE, "--dir", dir, "--lifetime", "300"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err)
        PROCS.append(self.proc)
        line = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not line.endswith(b"\n"):
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                c = os.read(self.proc.stdout.fileno(), 64)
                if not c:
                    break
                line += c
        if not line.strip().isdigit():
            self.stop()
            raise RuntimeError("the SMTP fixture did not start: %r" % line)
        self.port = int(line.strip())

    def messages(self):
        """[(description, raw bytes)] of every message taken, in order."""
        out = []
        names = [os.path.basename(p)[:-5]
                 for p in glob.glob(os.path.join(self.dir, "*.json"))]
        for n in sorted(int(x) for x in names if x.isdigit()):
            base = os.path.join(self.dir, str(n))
            with open(base + ".json", encoding="utf-8") as f:
                d = json.load(f)
            with open(base + ".eml", "rb") as f:
                out.append((d, f.read()))
        return out

    def stop(self):
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        kill_proc(self.proc)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.err.close()


class Estd:
    """One estd process with ESTD_NOW = `now`."""

    def __init__(self, conf, logpath, now):
        self.logpath = logpath
        if not os.path.exists(logpath):
            open(logpath, "w").close()
        self.start_size = os.path.getsize(logpath)
        self.log = open(logpath, "ab")
        env = dict(os.environ, ESTD_NOW=now)
        env.pop("ESTD_CONFIG", None)
        self.proc = subprocess.Popen([ESTD, "-c", conf], env=env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        PROCS.append(self.proc)
        self.port = None

    def text(self):
        with open(self.logpath, "rb") as f:
            f.seek(self.start_size)
            return f.read().decode("utf-8", "replace")

    def wait_listening(self, timeout=10.0):
        def port():
            m = re.search(r"listening on port (\d+)", self.text())
            if m:
                return int(m.group(1))
            return -1 if self.proc.poll() is not None else None
        p = wait_until(port, timeout, 0.05)
        self.port = p if p and p > 0 else None
        return self.port

    def log_tail(self, n=10):
        return "\n".join(self.text().splitlines()[-n:])

    def stop(self, what):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            rc = None
        kill_proc(self.proc)
        if not self.log.closed:
            self.log.close()
        if rc != 0:
            tap(False, "%s: estd stops on SIGTERM with status 0 (%s)"
                % (what, rc))


def start_estd(conf, log, now, what):
    estd = Estd(conf, log, now)
    if estd.wait_listening() is None:
        tap(False, "%s: estd starts within 10 s" % what)
        diag(estd.log_tail())
        kill_proc(estd.proc)
        raise RuntimeError("estd did not start")
    return estd


def estctl(conf, now, *args):
    env = dict(os.environ, ESTD_NOW=now)
    env.pop("ESTD_CONFIG", None)
    r = subprocess.run([ESTCTL, "-c", conf] + list(args), env=env,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=60)
    if r.returncode != 0:
        raise RuntimeError("estctl %s: exit %d: %s" % (
            " ".join(args), r.returncode,
            r.stderr.decode("utf-8", "replace").strip()))
    return r.stdout.decode("utf-8")


def write_conf(dir, smtp_port):
    conf = os.path.join(dir, "estd.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("[server]\n"
                "listen = 127.0.0.1:0\n"
                "base_url = %s\n"
                "templates = %s/reporter-form\n"
                "[storage]\n"
                "database = %s/estd.db\n"
                "[periods]\n"
                "analysis = quarter\n"
                "[smtp]\n"
                "host = 127.0.0.1\n"
                "port = %d\n"
                "starttls = off\n"
                "from = \"%s\"\n"
                "spool = %s/spool\n"
                "[checklist]\n"
                "file = %s/config/checklist.ini\n"
                % (BASE_URL, TOP, dir, smtp_port, FROM, dir, TOP))
    return conf


def add_person(conf, now, name, addr, role, areas):
    args = ["person", "add", "--name", name, "--email", addr, "--org",
            "kommunen", "--role", role]
    if areas is None:
        args.append("--all-areas")
    else:
        for a in areas:
            args += ["--area", a]
    return estctl(conf, now, *args).strip().splitlines()[-1]


def history_csv(path):
    """2026-Q3 (weeks 27-39). Centrum: vandalism 3 in weeks 27-35, then
    2 (still elevated: its flag stays open); graffiti 1. Söder: graffiti
    2 in weeks 30-33, else 0. Norr: all 0. Before the quarter, 2026-Q2:
    Centrum's vandalism 1."""
    rows = []
    for w in range(27, 40):
        p = "2026-W%02d" % w
        rows.append((p, "centrum", "anna@example.org", "skadegorelse",
                     "3" if w <= 35 else "2", "2" if w == 30 else "",
                     "Krossade rutor vid Storgatan" if w == 30 else ""))
        rows.append((p, "centrum", "anna@example.org", "klotter", "1",
                     "", ""))
        rows.append((p, "soder", "cecilia@example.org", "klotter",
                     "2" if 30 <= w <= 33 else "0", "", ""))
        rows.append((p, "norr", "", "nedskrapning", "0", "", ""))
    for w in range(14, 27):
        rows.append(("2026-W%02d" % w, "centrum", "anna@example.org",
                     "skadegorelse", "1", "", ""))
    with open(path, "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f)
        wr.writerow(["period", "area", "reporter_email", "indicator",
                     "rating", "count", "note"])
        wr.writerows(rows)


def get(port, path, token):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path,
                     headers={"Authorization": "Bearer " + token})
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type"), \
            resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def analysis_mails(relay):
    return [(d, raw) for d, raw in relay.messages()
            if d["subject"].startswith("Kvartalsanalys")]


def run(tmp):
    relay = Fixture(os.path.join(tmp, "relay"))
    estd = None
    try:
        conf = write_conf(tmp, relay.port)
        log = os.path.join(tmp, "estd.log")
        now = FRIDAY_39
        estctl(conf, now, "init")
        for slug, name in (("centrum", "Centrum"), ("soder", "Söder"),
                           ("norr", "Norr")):
            estctl(conf, now, "area", "add", slug, name)
        add_person(conf, now, "Anna Ek", "anna@example.org", "reporter",
                   ["centrum"])
        add_person(conf, now, "Cecilia Sjö", "cecilia@example.org",
                   "reporter", ["soder"])
        add_person(conf, now, "Kerstin Ölund", "kerstin@kommun.example.se",
                   "keyfunction", None)
        steering = {
            "sara@kommun.example.se": add_person(
                conf, now, "Sara Ström", "sara@kommun.example.se",
                "steering", None),
            "osten@polisen.example.se": add_person(
                conf, now, "Östen Åkesson", "osten@polisen.example.se",
                "steering", None),
        }
        add_person(conf, now, "Gunnar Gammal", "gunnar@kommun.example.se",
                   "steering", None)
        people = json.loads(estctl(conf, now, "person", "list", "--json"))
        plist = people["people"] if isinstance(people, dict) else people
        gunnar = [p for p in plist
                  if p["email"] == "gunnar@kommun.example.se"][0]
        estctl(conf, now, "person", "disable", str(gunnar["id"]))
        hist = os.path.join(tmp, "history.csv")
        history_csv(hist)
        out = estctl(conf, now, "import", hist)
        tap("imported" in out, "set-up: 3 areas, 2 reporters, a key "
            "function, 2 steering members and a disabled one; history "
            "imported (%s)" % out.strip().splitlines()[-1])

        # 1. The last week of the quarter: no analysis yet.
        estd = start_estd(conf, log, FRIDAY_39, "week 39")
        time.sleep(4.0)
        tap(not analysis_mails(relay), "week 39: no analysis mail while "
            "the quarter runs (relay has %d messages)"
            % len(relay.messages()))
        estd.stop("week 39")
        estd = None
        before = len(relay.messages())

        # 2. Monday of week 40: the quarter has closed.
        estd = start_estd(conf, log, MONDAY_40, "week 40")
        wait_until(lambda: len(analysis_mails(relay)) >= 2, 30)
        time.sleep(1.5)
        msgs = analysis_mails(relay)
        by = {}
        for d, raw in msgs:
            for r in d["rcpt_tos"]:
                by.setdefault(r, []).append((d, raw))
        tap(sorted(by) == sorted(steering) and
            all(len(v) == 1 for v in by.values()) and len(msgs) == 2,
            "week 40: exactly one analysis mail to each active steering "
            "member, none to anybody else (%s)"
            % {k: len(v) for k, v in by.items()})
        if not msgs:
            diag(estd.log_tail())

        want_csv = estctl(conf, MONDAY_40, "analysis", "2026-Q3", "--csv")
        want_rows = list(csv.reader(io.StringIO(want_csv)))
        cli_text = estctl(conf, MONDAY_40, "analysis", "2026-Q3")
        status, ctype, api_csv = get(estd.port,
                                     "/api/v1/analyses/2026-Q3?format=csv",
                                     steering["sara@kommun.example.se"]
                                     .rsplit("/", 1)[1])
        tap(status == 200 and ctype == "text/csv; charset=utf-8" and
            api_csv == want_csv,
            "the API's CSV (%s, %s) is estctl analysis 2026-Q3 --csv"
            % (status, ctype))
        tap(want_rows and want_rows[0] == CSV_HEADER and
            len(want_rows) == 1 + 3 * 13 and want_rows[1][1] == "centrum",
            "estctl analysis --csv: the header of contract §7, 39 rows, "
            "Centrum first (%d rows)" % len(want_rows))

        for addr, link in sorted(steering.items()):
            got = by.get(addr, [])
            if not got:
                tap(False, "mail to %s arrived" % addr)
                continue
            d, raw = got[0]
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            tap(d["subject"] == "Kvartalsanalys kvartal 3 2026: 1 "
                "kvarstående problem",
                "mail to %s: subject %r" % (addr, d["subject"]))
            try:
                raw[:raw.find(b"\r\n\r\n")].decode("ascii")
                ascii_head = True
            except UnicodeDecodeError:
                ascii_head = False
            parts = [p.get_content_type() for p in msg.walk()]
            tap(msg.get_content_type() == "multipart/mixed" and
                "multipart/alternative" in parts and "text/plain" in parts
                and "text/html" in parts and ascii_head and
                not d["defects"] and str(msg["from"]) == FROM,
                "mail to %s: multipart/mixed of text and HTML and the "
                "attachment, 7-bit headers, no MIME defects (%s)"
                % (addr, parts))
            atts = d["attachments"]
            att = atts[0] if len(atts) == 1 else {}
            tap(att.get("filename") == "analysis-2026-Q3.csv" and
                att.get("content_type") == "text/csv",
                "mail to %s: one attachment analysis-2026-Q3.csv, text/csv "
                "(%s)" % (addr, [(a["filename"], a["content_type"])
                                 for a in atts]))
            rows = list(csv.reader(io.StringIO(att.get("content", ""))))
            tap(rows == want_rows,
                "mail to %s: the attachment parses as CSV and equals "
                "estctl analysis 2026-Q3 --csv (%d rows)"
                % (addr, len(rows)))
            text, html = d["text"] or "", d["html"] or ""
            tap(all(w in text and w in html for w in
                    ("Centrum", "Söder", "Norr", "kvarstående",
                     "Skadegörelse")),
                "mail to %s: Centrum, Söder, Norr, kvarstående, Skadegörelse "
                "intact in text and HTML" % addr)
            tap("\n- Centrum, Skadegörelse: sedan v. " in text and
                "Centrum, Skadegörelse:" in html,
                "mail to %s: the persisting problem Centrum, Skadegörelse "
                "in text and HTML" % addr)
            first = re.search(r"^1\. (\S+)", text, re.M)
            tap(first is not None and first.group(1) == "Centrum",
                "mail to %s: Centrum ranks first (%s)"
                % (addr, first.group(0) if first else None))
            tap(link in text and link in html,
                "mail to %s: the personal link %s/k/... in text and HTML"
                % (addr, BASE_URL))
            tap(cli_text.strip() in text,
                "mail to %s: the text part holds the summary estctl "
                "analysis 2026-Q3 prints" % addr)
            if cli_text.strip() not in text:
                diag(cli_text[:800])
                diag("----")
                diag(text[:1200])
        ob = json.loads(estctl(conf, MONDAY_40, "outbox", "--json"))
        kinds = [m for m in ob["mails"] if m["kind"] == "analysis"]
        tap(len(kinds) == 2 and all(m["state"] == "sent" for m in kinds),
            "estctl outbox: 2 analysis mails, both sent (%s)"
            % [(m["recipient"], m["state"]) for m in kinds])
        estd.stop("week 40")
        estd = None

        # 3. A restart sends nothing again.
        n = len(relay.messages())
        estd = start_estd(conf, log, MONDAY_40, "restart")
        time.sleep(4.0)
        tap(len(relay.messages()) == n and len(analysis_mails(relay)) == 2,
            "restart: nothing is sent again (relay had %d, has %d; %d "
            "before the quarter closed)" % (n, len(relay.messages()),
                                            before))
        estd.stop("restart")
        estd = None
    finally:
        if estd is not None:
            kill_proc(estd.proc)
        relay.stop()


def main():
    global ESTD, ESTCTL
    if not (os.access(BUILT_ESTD, os.X_OK) and
            os.access(BUILT_ESTCTL, os.X_OK)):
        tap(False, "%s/estd and estctl exist (run make all)" % BUILD)
        return 1
    tmp = tempfile.mkdtemp(prefix="estd-analysis.")
    try:
        ESTD = os.path.join(tmp, "estd")
        ESTCTL = os.path.join(tmp, "estctl")
        shutil.copy2(BUILT_ESTD, ESTD)
        shutil.copy2(BUILT_ESTCTL, ESTCTL)
        try:
            run(tmp)
        except Exception:
            tap(False, "ran to its end without an exception")
            diag(traceback.format_exc())
        return 1 if failures else 0
    finally:
        for p in PROCS:
            kill_proc(p)
        if failures and os.environ.get("ESTD_KEEP") == "1":
            print("# kept %s" % tmp, flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def on_signal(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_signal)
    try:
        rc = main()
    except KeyboardInterrupt:
        for p in PROCS:
            kill_proc(p)
        rc = 1
    print("1..%d" % tests)
    sys.exit(rc)
