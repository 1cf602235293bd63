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
import http.client
import io
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
import estdtest  # noqa: E402
from estdtest import (BASE_URL, FROM, Fixture, diag, estctl,  # noqa: E402
                      kill_proc, main, run_parts, start_estd, stop_estd,
                      tap, wait_until)

FRIDAY_39 = "2026-09-25T12:00:30+02:00"
MONDAY_40 = "2026-09-28T08:00:30+02:00"
CSV_HEADER = ["period", "area", "indicator", "mean_score",
              "periods_elevated", "previous_mean_score",
              "last_year_mean_score", "flagged"]


def write_conf(dir, smtp_port):
    return estdtest.write_conf(dir, smtp_port,
                               "[periods]\nanalysis = quarter\n")


def add_person(conf, now, name, addr, role, areas):
    return estdtest.add_person(conf, now, name, addr, "kommunen", role,
                               areas)


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
        stop_estd(estd, "week 39")
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
        stop_estd(estd, "week 40")
        estd = None

        # 3. A restart sends nothing again.
        n = len(relay.messages())
        estd = start_estd(conf, log, MONDAY_40, "restart")
        time.sleep(4.0)
        tap(len(relay.messages()) == n and len(analysis_mails(relay)) == 2,
            "restart: nothing is sent again (relay had %d, has %d; %d "
            "before the quarter closed)" % (n, len(relay.messages()),
                                            before))
        stop_estd(estd, "restart")
        estd = None
    finally:
        if estd is not None:
            kill_proc(estd.proc)
        relay.stop()


if __name__ == "__main__":
    main(lambda: run_parts("analysis", [("analysis", run)]))
