#!/usr/bin/python3
"""e2e_mail: the weekly mail of estd end to end (contract §8), with the
real estd and estctl and a real SMTP server on loopback
(tests/smtpd_fixture.py).

1. A week of reports. Three areas, four reporters (one of them never
   reports), two key functions of different organisations (kommunen for
   every area, polisen for centrum and soder). Reports for week 47 go in
   through the API with the clock on Wednesday of week 47; estd is then
   restarted on Monday of week 48 just after 08:00 and must mail exactly
   one digest to each key function, covering exactly their areas, as
   UTF-8 multipart/alternative with their personal link and the name of
   the reporter who did not report. A restart sends nothing again.
2. Reminders. After some week-48 reports, estd restarted on Friday of
   week 48 just after 12:00 reminds exactly the reporters with an area
   not reported, each with their personal link; a restart sends none.
3. Relay down, then up: the first attempt fails to connect and the mail
   stays queued; once the relay is there and the retry time has come,
   estctl outbox flush delivers it exactly once.
4. 451 then 250: deferred with the reply recorded, not tried again
   before its retry time, then delivered once with the Message-ID the
   outbox recorded.
5. 550: failed for good at once, never tried again; a second key
   function's mail in the same pass is delivered.
6. SIGKILL of estd while the relay sits on the message's final dot:
   after the lease (15 minutes) the restarted estd delivers the mail
   with the same Message-ID and records it as sent.

Each part has its own temporary directory, database and relay. The
clock is set with ESTD_NOW; "later" clocks are given to the restarted
processes. ESTD_KEEP=1 keeps the temporary directory when something
failed. Prints TAP lines; exits 1 on any failure. Standard library only
(and the fixture, which needs Debian's python3-aiosmtpd); every wait is
bounded and every process started is killed at exit.
"""

import datetime
import email
import email.policy
import http.client
import json
import os
import re
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from estdtest import (BASE_URL, FROM, Fixture, add_person,  # noqa: E402
                      closed_port, diag, estctl, later, main, run_parts,
                      start_estd, stop_estd, tap, wait_until, write_conf)

WEDNESDAY_47 = "2026-11-18T10:00:00+01:00"
MONDAY_48 = "2026-11-23T08:00:30+01:00"
FRIDAY_48 = "2026-11-27T12:00:30+01:00"
# Each process's clock starts at its own ESTD_NOW, so a mail queued at
# MONDAY_48 by one estctl may carry a time a second later than a second
# process started at MONDAY_48 sees: first attempts come a little later.
FIRST = "2026-11-23T08:00:40+01:00"
NOTE = "Krossad busskur vid torget, glaskross på perrongen"


class StallRelay:
    """A relay that takes a whole message and then never answers its
    final dot, so the sender is caught in the middle of sending. It keeps
    the message it got and says when it has it (`got`)."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.got = threading.Event()
        self.peer_gone = threading.Event()
        self.stopping = threading.Event()
        self.data = None
        self.conns = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                break
            self.conns.append(conn)
            threading.Thread(target=self.session, args=(conn,),
                             daemon=True).start()

    def session(self, conn):
        conn.settimeout(0.5)
        buf = b""

        def line():
            nonlocal buf
            while b"\r\n" not in buf:
                if self.stopping.is_set():
                    return None
                try:
                    c = conn.recv(4096)
                except socket.timeout:
                    continue
                except OSError:
                    return None
                if not c:
                    return None
                buf += c
            ln, buf = buf.split(b"\r\n", 1)
            return ln

        try:
            conn.sendall(b"220 stall.test ESMTP\r\n")
            while True:
                ln = line()
                if ln is None:
                    break
                verb = ln[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    conn.sendall(b"250 stall.test\r\n")
                elif verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    conn.sendall(b"250 OK\r\n")
                elif verb == b"DATA":
                    conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    lines = []
                    while True:
                        ln = line()
                        if ln is None or ln == b".":
                            break
                        lines.append(ln[1:] if ln.startswith(b"..")
                                     else ln)
                    if ln is None:
                        break
                    self.data = b"\r\n".join(lines) + b"\r\n"
                    self.got.set()
                    # No reply: wait for the sender to go away.
                    while not self.stopping.is_set():
                        try:
                            if not conn.recv(4096):
                                break
                        except socket.timeout:
                            continue
                        except OSError:
                            break
                    self.peer_gone.set()
                    break
                elif verb == b"QUIT":
                    conn.sendall(b"221 Bye\r\n")
                    break
                else:
                    conn.sendall(b"502 5.5.2 Not implemented\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    def stop(self):
        self.stopping.set()
        try:
            self.sock.close()
        except OSError:
            pass
        self.thread.join(5)


def outbox(conf, now):
    return json.loads(estctl(conf, now, "outbox", "--json"))


def outbox_by(ob, addr):
    return [m for m in ob["mails"] if m["recipient"] == addr]


def flush(conf, now):
    """estctl outbox flush: (attempted, sent, deferred, failed), or None
    when its line is not there; and the output."""
    out = estctl(conf, now, "outbox", "flush")
    m = re.search(r"(\d+) attempted: (\d+) sent, (\d+) deferred, (\d+) "
                  r"failed", out)
    return (tuple(int(x) for x in m.groups()) if m else None), out


def post_report(port, token, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/api/v1/reports",
                     body=json.dumps(body).encode("utf-8"),
                     headers={"Authorization": "Bearer " + token,
                              "Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


def token_of(link):
    return link.rsplit("/", 1)[1]


def header_block(raw):
    i = raw.find(b"\r\n\r\n")
    return raw[:i if i >= 0 else len(raw)]


def mime_problems(raw, desc):
    """What is wrong with a digest or reminder as MIME: [] when it is a
    7-bit-header, UTF-8 multipart/alternative of text/plain and
    text/html."""
    bad = []
    try:
        header_block(raw).decode("ascii")
    except UnicodeDecodeError:
        bad.append("8-bit bytes in the header block (not RFC 2047)")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if msg.get_content_type() != "multipart/alternative":
        bad.append("Content-Type %s" % msg.get_content_type())
        return bad
    parts = list(msg.iter_parts())
    types = [p.get_content_type() for p in parts]
    if types != ["text/plain", "text/html"]:
        bad.append("parts %s, not [text/plain, text/html]" % types)
    for p in parts:
        cs = p.get_content_charset()
        if cs is None or cs.lower() != "utf-8":
            bad.append("%s charset %s" % (p.get_content_type(), cs))
    if desc.get("defects"):
        bad.append("%d MIME defects" % desc["defects"])
    if str(msg["from"]) != FROM:
        bad.append("From %r" % str(msg["from"]))
    if msg["date"] is None:
        bad.append("no Date")
    if msg["mime-version"] is None:
        bad.append("no MIME-Version")
    return bad


# ---------------------------------------------------------------------
# 1 and 2: a week of reports, the digest, the reminders.

def part_week(tmp):
    relay = Fixture(os.path.join(tmp, "relay"))
    try:
        conf = write_conf(tmp, relay.port)
        log = os.path.join(tmp, "estd.log")
        now = WEDNESDAY_47
        estctl(conf, now, "init")
        for slug, name in (("centrum", "Centrum"), ("norr", "Norr"),
                           ("soder", "Söder")):
            estctl(conf, now, "area", "add", slug, name)
        reporters = {
            "anna": ("Anna Ek", "anna@example.org", ["centrum"]),
            "bo": ("Bo Lind", "bo@example.org", ["norr"]),
            "cecilia": ("Cecilia Sjö", "cecilia@example.org", ["soder"]),
            "david": ("David Åberg", "david@example.org",
                      ["centrum", "soder"]),
        }
        link = {}
        for k, (name, addr, areas) in reporters.items():
            link[k] = add_person(conf, now, name, addr, "Fastighets AB",
                                 "reporter", areas)
        kommun = ("Kerstin Ölund", "kerstin@kommun.example.se")
        polis = ("Per Polhem", "per@polisen.example.se")
        link["kommun"] = add_person(conf, now, kommun[0], kommun[1],
                                    "kommunen", "keyfunction", None)
        link["polis"] = add_person(conf, now, polis[0], polis[1],
                                   "polisen", "keyfunction",
                                   ["centrum", "soder"])
        tap(True, "week: set-up: 3 areas, 4 reporters, key functions of "
            "kommunen (all areas) and polisen (centrum, soder)")

        # Week 47: three of the four reporters report.
        estd = start_estd(conf, log, WEDNESDAY_47, "week 47")
        answers = [
            post_report(estd.port, token_of(link["anna"]), {
                "area": "centrum", "period": "2026-W47",
                "ratings": {"skadegorelse": 3, "klotter": 1},
                "counts": {"skadegorelse": 2},
                "place": "Resecentrum", "note": NOTE}),
            post_report(estd.port, token_of(link["bo"]), {
                "area": "norr", "period": "2026-W47",
                "ratings": {"nedskrapning": 2, "klotter": 1},
                "note": "Skräp vid återvinningen"}),
            post_report(estd.port, token_of(link["cecilia"]), {
                "area": "soder", "period": "2026-W47",
                "ratings": {"skadegorelse": 0, "klotter": 1}}),
        ]
        tap(all(s == 201 for s, _ in answers),
            "week 47: three reports accepted by POST /api/v1/reports "
            "(answers %s)" % [s for s, _ in answers])
        for s, b in answers:
            if s != 201:
                diag(b[:300])
        stop_estd(estd, "week 47")
        pic = json.loads(estctl(conf, MONDAY_48, "picture", "2026-W47",
                                "--json"))
        status = {a["area"]: a["status"] for a in pic.get("areas", [])}
        tap(status == {"centrum": "red", "norr": "yellow",
                       "soder": "green"},
            "week 47: the picture has centrum red, norr yellow, soder "
            "green (%s)" % status)
        tap(relay.count() == 0 and not relay.commands(),
            "week 47: no mail during the week (relay saw %d commands)"
            % len(relay.commands()))

        # Monday of week 48 just after 08:00: the digest of week 47.
        estd = start_estd(conf, log, MONDAY_48, "digest")
        t0 = time.monotonic()
        wait_until(lambda: relay.count() >= 2, 20)
        took = time.monotonic() - t0
        time.sleep(1.0)         # anything more would come now
        msgs = relay.messages()
        tap(len(msgs) == 2, "digest: the relay got exactly 2 messages "
            "within 20 s of the restart on Monday 08:00:30 (got %d, "
            "%.1f s)" % (len(msgs), took))
        if len(msgs) != 2:
            diag(estd.log_tail())
        by_rcpt = {}
        for d, raw in msgs:
            for r in d["rcpt_tos"]:
                by_rcpt.setdefault(r, []).append((d, raw))
        tap(sorted(by_rcpt) == sorted([kommun[1], polis[1]]) and
            all(len(v) == 1 for v in by_rcpt.values()),
            "digest: one each to %s and %s (recipients %s)"
            % (kommun[1], polis[1],
               {k: len(v) for k, v in by_rcpt.items()}))
        tap(all(d["mail_from"] == "est@example.org" for d, _ in msgs),
            "digest: envelope sender est@example.org (%s)"
            % sorted({d["mail_from"] for d, _ in msgs}))

        want_subject = {
            kommun[1]: "Lägesbild v. 47: 1 rött, 1 gult område",
            polis[1]: "Lägesbild v. 47: 1 rött område",
        }
        want_areas = {kommun[1]: ["Centrum", "Norr", "Söder"],
                      polis[1]: ["Centrum", "Söder"]}
        for who, addr, key in (("kommunen", kommun[1], "kommun"),
                               ("polisen", polis[1], "polis")):
            got = by_rcpt.get(addr, [])
            if not got:
                tap(False, "digest to %s: arrived" % who)
                continue
            d, raw = got[0]
            subject = d["subject"]
            tap("Lägesbild" in subject and "v. 47" in subject and
                subject == want_subject[addr],
                "digest to %s: subject %r (want %r)"
                % (who, subject, want_subject[addr]))
            bad = mime_problems(raw, d)
            tap(not bad, "digest to %s: multipart/alternative, text/plain "
                "and text/html in UTF-8, headers RFC 2047, From %s"
                % (who, FROM))
            for b in bad:
                diag(b)
            text, html = d["text"] or "", d["html"] or ""
            missing = [a for a in want_areas[addr]
                       if a not in text or a not in html]
            extra = [w for w in ("Norr", "Bo Lind", "bo@example.org",
                                 "Skräp")
                     if addr == polis[1] and (w in text or w in html)]
            tap(not missing and not extra,
                "digest to %s: names %s in both parts%s"
                % (who, ", ".join(want_areas[addr]),
                   ", never Norr or its reporter" if addr == polis[1]
                   else ""))
            if missing or extra:
                diag("missing %s, should not be there %s"
                     % (missing, extra))
            tap(NOTE in text and NOTE in html,
                "digest to %s: the note %r intact in text and HTML"
                % (who, NOTE))
            tap(link[key] in text and link[key] in html,
                "digest to %s: the personal link %s/k/... in text and "
                "HTML" % (who, BASE_URL))
            if link[key] not in text:
                diag("links in the text: %s" %
                     re.findall(r"https?://\S+", text))
            tap("David Åberg" in text and "David Åberg" in html,
                "digest to %s: names David Åberg, who has not reported"
                % who)
            tap("1 av 2 rapportörer har rapporterat" in text,
                "digest to %s: Centrum: \"1 av 2 rapportörer har "
                "rapporterat\"" % who)
            lines = ["Centrum: rött läge",
                     "- Skadegörelse: omfattande (3), ny, 2 händelser.",
                     "Söder: grönt läge"]
            if addr == kommun[1]:
                lines += ["Norr: gult läge",
                          "- Nedskräpning: återkommande (2), ny."]
            absent = [ln for ln in lines if ln not in text]
            tap(not absent, "digest to %s: each area's status and its "
                "elevated indicators with trend in the text part" % who)
            for ln in absent:
                diag("not found: %r" % ln)

        ob = wait_until(lambda: (lambda o: o if o["counts"]["sent"] >= 2
                                 else None)(outbox(conf, MONDAY_48)), 10)
        ob = ob or outbox(conf, MONDAY_48)
        good = len(ob["mails"]) == 2
        for addr in (kommun[1], polis[1]):
            m = outbox_by(ob, addr)
            good = good and len(m) == 1 and m[0]["state"] == "sent" and \
                m[0]["attempts"] == 1 and m[0]["kind"] == "digest" and \
                m[0]["sent"] is not None and \
                (m[0]["last_error"] or "250").startswith("250")
            if m and by_rcpt.get(addr):
                good = good and m[0]["message_id"].strip("<>") == \
                    by_rcpt[addr][0][0]["message_id"].strip("<>")
        tap(good and ob["counts"] == {"queued": 0, "sending": 0, "sent": 2,
                                      "failed": 0},
            "digest: estctl outbox --json: both sent, attempts 1, "
            "Message-IDs as received, no error recorded (counts %s)"
            % ob["counts"])
        if not good:
            diag(json.dumps(ob, ensure_ascii=False)[:1500])
        stop_estd(estd, "digest")

        # Restart at the same instant: nothing is sent again.
        estd = start_estd(conf, log, MONDAY_48, "digest restart")
        time.sleep(4.0)
        n = relay.count()
        ob = outbox(conf, MONDAY_48)
        tap(n == 2 and len(ob["mails"]) == 2,
            "digest: a restart on Monday 08:00:30 sends nothing again "
            "(relay has %d messages, outbox %d mails)"
            % (n, len(ob["mails"])))

        # Week 48: anna and bo report; david only for centrum.
        answers = [
            post_report(estd.port, token_of(link["anna"]), {
                "area": "centrum", "period": "2026-W48",
                "ratings": {"skadegorelse": 2}}),
            post_report(estd.port, token_of(link["bo"]), {
                "area": "norr", "period": "2026-W48", "nothing": True}),
            post_report(estd.port, token_of(link["david"]), {
                "area": "centrum", "period": "2026-W48",
                "ratings": {"klotter": 1}}),
        ]
        tap(all(s == 201 for s, _ in answers),
            "week 48: anna (centrum), bo (norr) and david (centrum, not "
            "soder) report (answers %s)" % [s for s, _ in answers])
        for s, b in answers:
            if s != 201:
                diag(b[:300])
        stop_estd(estd, "week 48")

        # Friday of week 48 just after 12:00: reminders.
        estd = start_estd(conf, log, FRIDAY_48, "reminders")
        wait_until(lambda: relay.count() >= 4, 20)
        time.sleep(1.5)
        msgs = relay.messages()[2:]
        rem = {}
        for d, raw in msgs:
            for r in d["rcpt_tos"]:
                rem.setdefault(r, []).append((d, raw))
        want = {"cecilia@example.org": ("cecilia", ["Söder"], ["Centrum"]),
                "david@example.org": ("david", ["Söder"], ["Centrum"])}
        tap(sorted(rem) == sorted(want) and len(msgs) == 2,
            "reminders: one each to cecilia and david, none to anna and bo "
            "(got %s)" % {k: len(v) for k, v in rem.items()})
        if sorted(rem) != sorted(want):
            diag(estd.log_tail())
        for addr, (key, areas, not_areas) in want.items():
            got = rem.get(addr, [])
            if not got:
                continue
            d, raw = got[0]
            text, html = d["text"] or "", d["html"] or ""
            tap("Påminnelse" in d["subject"] and
                d["subject"] == "Påminnelse: rapportera för vecka 48",
                "reminder to %s: subject %r" % (key, d["subject"]))
            bad = mime_problems(raw, d)
            tap(not bad, "reminder to %s: UTF-8 multipart/alternative "
                "with text and HTML" % key)
            for b in bad:
                diag(b)
            tap(link[key] in text and link[key] in html,
                "reminder to %s: their personal link %s/r/... in text and "
                "HTML" % (key, BASE_URL))
            ok_areas = all(a in text for a in areas) and \
                not any(a in text for a in not_areas)
            tap(ok_areas, "reminder to %s: names %s, not %s"
                % (key, areas, not_areas))
            if not ok_areas:
                diag(text[:600])
        ob = wait_until(lambda: (lambda o: o if o["counts"]["sent"] >= 4
                                 else None)(outbox(conf, FRIDAY_48)), 10)
        ob = ob or outbox(conf, FRIDAY_48)
        rems = [m for m in ob["mails"] if m["kind"] == "reminder"]
        tap(len(rems) == 2 and all(m["state"] == "sent" and
                                   m["attempts"] == 1 for m in rems),
            "reminders: estctl outbox shows 2 reminders sent, attempts 1 "
            "(%s)" % [(m["recipient"], m["state"], m["attempts"])
                      for m in rems])
        stop_estd(estd, "reminders")

        estd = start_estd(conf, log, FRIDAY_48, "reminders restart")
        time.sleep(4.0)
        n = relay.count()
        ob = outbox(conf, FRIDAY_48)
        tap(n == 4 and len(ob["mails"]) == 4,
            "reminders: a restart on Friday 12:00:30 sends none again "
            "(relay has %d messages, outbox %d mails)"
            % (n, len(ob["mails"])))
        stop_estd(estd, "reminders restart")
    finally:
        relay.stop()


# ---------------------------------------------------------------------
# 3 to 6: delivery failures, each on a database of its own with one
# area and key functions whose digest estctl queues.

def small_setup(tmp, port, keyfunctions):
    conf = write_conf(tmp, port)
    estctl(conf, MONDAY_48, "init")
    estctl(conf, MONDAY_48, "area", "add", "centrum", "Centrum")
    for name, addr in keyfunctions:
        add_person(conf, MONDAY_48, name, addr, "kommunen", "keyfunction",
                   ["centrum"])
    out = estctl(conf, MONDAY_48, "digest", "2026-W47")
    if "%d mails queued" % len(keyfunctions) not in out:
        raise RuntimeError("estctl digest 2026-W47: %r" % out.strip())
    return conf


def part_relay_down(tmp):
    addr = "eva@kommun.example.se"
    dead = closed_port()
    conf = small_setup(tmp, dead, [("Eva Eriksson", addr)])
    log = os.path.join(tmp, "estd.log")
    ob = outbox(conf, FIRST)
    tap(ob["counts"]["queued"] == 1 and len(ob["mails"]) == 1,
        "relay down: estctl digest 2026-W47 queues 1 mail (counts %s)"
        % ob["counts"])
    estd = start_estd(conf, log, FIRST, "relay down")
    ob = wait_until(lambda: (lambda o: o if o["mails"] and
                             o["mails"][0]["attempts"] >= 1 and
                             o["mails"][0]["state"] == "queued"
                             else None)(outbox(conf, FIRST)), 15)
    stop_estd(estd, "relay down")
    ob = ob or outbox(conf, FIRST)
    m = ob["mails"][0] if ob["mails"] else {}
    err = m.get("last_error") or ""
    tap(m.get("state") == "queued" and m.get("attempts") == 1 and
        "connect" in err.lower() and str(dead) in err,
        "relay down: estd's first attempt leaves it queued, attempts 1, "
        "last_error %r" % err)
    message_id = m.get("message_id")

    relay = Fixture(os.path.join(tmp, "relay"))
    try:
        write_conf(tmp, relay.port)
        c, out = flush(conf, later(FIRST, 60))
        tap(c == (0, 0, 0, 0) and relay.count() == 0,
            "relay up: a flush a minute later, before the retry time, "
            "tries nothing (%s)" % out.strip())
        c, out = flush(conf, later(FIRST, 7 * 60))
        msgs = relay.messages()
        tap(c == (1, 1, 0, 0) and len(msgs) == 1,
            "relay up: estctl outbox flush 7 minutes later delivers it "
            "(%s; relay has %d)" % (out.strip(), len(msgs)))
        if msgs:
            tap(msgs[0][0]["message_id"].strip("<>") ==
                (message_id or "").strip("<>") and
                msgs[0][0]["rcpt_tos"] == [addr],
                "relay up: to %s with the Message-ID recorded at the "
                "failed attempt (%s)" % (addr, message_id))
        c, out = flush(conf, later(FIRST, 8 * 60))
        time.sleep(0.3)
        ob = outbox(conf, later(FIRST, 8 * 60))
        m = ob["mails"][0] if ob["mails"] else {}
        tap(c == (0, 0, 0, 0) and relay.count() == 1 and
            m.get("state") == "sent" and m.get("attempts") == 2,
            "relay up: a second flush sends nothing; the outbox says sent "
            "after 2 attempts (%s; %s, %s attempts)"
            % (out.strip(), m.get("state"), m.get("attempts")))
    finally:
        relay.stop()


def retry_delay(conf, attempted, addr):
    """Seconds from `attempted` (the ESTD_NOW of the attempt) to the
    mail's next attempt, from the text form of estctl outbox; None if not
    found."""
    out = estctl(conf, attempted, "outbox")
    for line in out.splitlines():
        if addr not in line:
            continue
        m = re.search(r" next (\d{4}-\d\d-\d\dT[\d:]+[+-]\d\d:\d\d)",
                      line)
        if m:
            a = datetime.datetime.fromisoformat(attempted)
            b = datetime.datetime.fromisoformat(m.group(1))
            return (b - a).total_seconds()
    return None


def part_4xx(tmp):
    addr = "fia@kommun.example.se"
    relay = Fixture(os.path.join(tmp, "relay1"), "--rcpt", addr + "=451")
    try:
        conf = small_setup(tmp, relay.port, [("Fia Fors", addr)])
        c, out = flush(conf, FIRST)
        ob = outbox(conf, FIRST)
        m = ob["mails"][0] if ob["mails"] else {}
        err = m.get("last_error") or ""
        tap(c == (1, 0, 1, 0) and m.get("state") == "queued" and
            m.get("attempts") == 1 and "451" in err and relay.count() == 0,
            "451: the flush defers it: queued, attempts 1, last_error %r "
            "(%s)" % (err, out.strip()))
        message_id = m.get("message_id")
        delay = retry_delay(conf, FIRST, addr)
        tap(delay is not None and 270 <= delay <= 332,
            "451: next attempt about 5 minutes (± 10 %%) after the first "
            "(%s s after it)" % delay)
        c, out = flush(conf, later(FIRST, 120))
        tap(c == (0, 0, 0, 0) and
            relay.commands().count("RCPT " + addr) == 1,
            "451: a flush 2 minutes later, before the retry time, tries "
            "nothing (%s)" % out.strip())
    finally:
        relay.stop()

    relay = Fixture(os.path.join(tmp, "relay2"))
    try:
        write_conf(tmp, relay.port)
        c, out = flush(conf, later(FIRST, 7 * 60))
        msgs = relay.messages()
        tap(c == (1, 1, 0, 0) and len(msgs) == 1,
            "451 then 250: the flush 7 minutes later delivers it once "
            "(%s; relay has %d)" % (out.strip(), len(msgs)))
        ob = outbox(conf, later(FIRST, 7 * 60))
        m = ob["mails"][0] if ob["mails"] else {}
        tap(bool(msgs) and m.get("message_id") == message_id and
            msgs[0][0]["message_id"].strip("<>") ==
            (message_id or "").strip("<>"),
            "451 then 250: the Message-ID received is the one the outbox "
            "recorded at the 451 (%s)" % message_id)
        c, out = flush(conf, later(FIRST, 20 * 60))
        tap(c == (0, 0, 0, 0) and relay.count() == 1 and
            m.get("state") == "sent" and m.get("attempts") == 2,
            "451 then 250: sent after 2 attempts; a later flush sends "
            "nothing (%s)" % out.strip())
    finally:
        relay.stop()


def part_5xx(tmp):
    bad = "gustav@kommun.example.se"
    good = "hanna@kommun.example.se"
    relay = Fixture(os.path.join(tmp, "relay"), "--rcpt", bad + "=550")
    try:
        conf = small_setup(tmp, relay.port, [("Gustav Gran", bad),
                                             ("Hanna Holm", good)])
        c, out = flush(conf, FIRST)
        ob = outbox(conf, FIRST)
        mb = (outbox_by(ob, bad) or [{}])[0]
        mg = (outbox_by(ob, good) or [{}])[0]
        err = mb.get("last_error") or ""
        tap(c == (2, 1, 0, 1) and mb.get("state") == "failed" and
            mb.get("attempts") == 1 and "550" in err,
            "550: failed at once, attempts 1, last_error %r (%s)"
            % (err, out.strip()))
        msgs = relay.messages()
        tap(mg.get("state") == "sent" and len(msgs) == 1 and
            msgs[0][0]["rcpt_tos"] == [good],
            "550: the other key function's digest in the same pass is "
            "delivered (%s; relay has %d)" % (mg.get("state"), len(msgs)))
        c, out = flush(conf, later(FIRST, 2 * 3600))
        ob = outbox(conf, later(FIRST, 2 * 3600))
        mb = (outbox_by(ob, bad) or [{}])[0]
        rcpts = relay.commands().count("RCPT " + bad)
        tap(c == (0, 0, 0, 0) and rcpts == 1 and relay.count() == 1 and
            mb.get("state") == "failed" and mb.get("attempts") == 1,
            "550: a flush 2 hours later does not retry it (%s; RCPT to it "
            "seen %d times)" % (out.strip(), rcpts))
        tap(ob["counts"] == {"queued": 0, "sending": 0, "sent": 1,
                             "failed": 1},
            "550: estctl outbox counts 1 sent, 1 failed (%s)"
            % ob["counts"])
    finally:
        relay.stop()


def part_kill(tmp):
    addr = "ivar@kommun.example.se"
    stall = StallRelay()
    relay = None
    try:
        conf = small_setup(tmp, stall.port, [("Ivar Isaksson", addr)])
        log = os.path.join(tmp, "estd.log")
        estd = start_estd(conf, log, FIRST, "kill")
        got = stall.got.wait(20)
        ob = outbox(conf, FIRST) if got else None
        m = (ob["mails"][0] if ob and ob["mails"] else {})
        tap(got and m.get("state") == "sending" and m.get("attempts") == 1,
            "kill: estd has sent the message and waits for the relay's "
            "answer; the outbox says %s, attempts %s"
            % (m.get("state"), m.get("attempts")))
        if not got:
            diag(estd.log_tail())
        estd.proc.send_signal(signal.SIGKILL)
        estd.kill()
        stall.peer_gone.wait(5)
        stalled_id = None
        if stall.data is not None:
            stalled_id = email.message_from_bytes(
                stall.data, policy=email.policy.default)["message-id"]
        stall.stop()

        relay = Fixture(os.path.join(tmp, "relay"))
        write_conf(tmp, relay.port)
        # Within the lease nobody takes it.
        c, out = flush(conf, later(FIRST, 5 * 60))
        tap(c == (0, 0, 0, 0) and relay.count() == 0,
            "kill: within its 15-minute lease the mail is not taken "
            "(%s)" % out.strip())
        estd = start_estd(conf, log, later(FIRST, 16 * 60),
                          "kill restart")
        wait_until(lambda: relay.count() >= 1, 20)
        ob = wait_until(lambda: (lambda o: o if o["counts"]["sent"] >= 1
                                 else None)(outbox(conf, later(
                                     FIRST, 16 * 60))), 10)
        time.sleep(1.0)
        stop_estd(estd, "kill restart")
        msgs = relay.messages()
        ob = ob or outbox(conf, later(FIRST, 16 * 60))
        m = ob["mails"][0] if ob["mails"] else {}
        tap(len(msgs) == 1 and msgs[0][0]["rcpt_tos"] == [addr],
            "kill: restarted 16 minutes later, estd delivers it (relay "
            "has %d)" % len(msgs))
        same = bool(msgs) and stalled_id is not None and \
            msgs[0][0]["message_id"].strip("<>") == \
            str(stalled_id).strip("<>") == (m.get("message_id") or
                                             "").strip("<>")
        tap(same, "kill: the same Message-ID as the interrupted attempt "
            "and the outbox (%s)" % stalled_id)
        tap(m.get("state") == "sent" and m.get("attempts") == 2 and
            ob["counts"]["sending"] == 0,
            "kill: estctl outbox shows it sent after 2 attempts (%s, %s)"
            % (m.get("state"), m.get("attempts")))
    finally:
        stall.stop()
        if relay is not None:
            relay.stop()


PARTS = [
    ("week of reports, digest and reminders", part_week),
    ("relay down, then up", part_relay_down),
    ("451, then 250", part_4xx),
    ("550", part_5xx),
    ("SIGKILL during delivery", part_kill),
]


if __name__ == "__main__":
    main(lambda: run_parts("mail", PARTS))
