#!/usr/bin/python3
"""e2e_crash: the crash test of estd's durability promise (contract §5:
"a 2xx answer to a report means it is durable: it survives kill -9").

One database, 100 reporters in 10 areas. Each cycle: 32 client threads
POST reports in a loop, each with a unique note, and keep a ledger of
every 2xx answer (reporter, report id, revision, note); at a random
moment 0.5-2.5 s into the load estd gets SIGKILL. Then, with estd dead,
the database is opened read-only: every acknowledged (report, revision)
must exist in report_revisions with its note and reporter,
PRAGMA integrity_check must say ok, and every report's revisions must be
1..revision without gaps. estd is restarted on the same database; it
must answer /healthz and accept a report whose revision continues from
the stored one; that instance carries the next cycle's load. At the end
estd must stop on SIGTERM with status 0 and the whole ledger of every
cycle is checked once more.

Environment: CRASH_CYCLES (default 5), CRASH_THREADS (32), CRASH_SEED
(random seed, printed), ESTD_KEEP=1 keeps the temporary directory when
something failed. Prints TAP lines; exits 1 on any loss or failure.
Standard library only; every wait is bounded and estd is killed on exit.
"""

import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILT_ESTD = os.path.join(TOP, "build", "estd")
BUILT_ESTCTL = os.path.join(TOP, "build", "estctl")
# Copies in the temporary directory (set by main): a rebuild during the
# test must not swap the binary between two cycles.
ESTD = ESTCTL = None
NOW = "2026-11-18T10:00:00+01:00"
PERIOD = "2026-W47"
REPORTERS = 100
AREAS = 10
CYCLES = int(os.environ.get("CRASH_CYCLES", "5"))
THREADS = int(os.environ.get("CRASH_THREADS", "32"))
SEED = int(os.environ.get("CRASH_SEED", str(int(time.time() * 1000) % 1000000)))
INDICATORS = ["skadegorelse", "klotter", "nedskrapning", "brand", "samlingar"]

failures = 0
tests = 0


def tap(good, text):
    global failures, tests
    tests += 1
    if not good:
        failures += 1
    print("%s - %s" % ("ok" if good else "not ok", text), flush=True)


def diag(text):
    for line in str(text).splitlines():
        print("#   " + line, flush=True)


class Estd:
    """One estd process on the test's configuration."""

    def __init__(self, conf, logpath):
        self.log = open(logpath, "ab")
        env = dict(os.environ, ESTD_NOW=NOW)
        self.logpath = logpath
        self.start_size = os.path.getsize(logpath)
        self.proc = subprocess.Popen([ESTD, "-c", conf], env=env,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        self.port = None

    def wait_listening(self, timeout=10.0):
        """The port from the "listening on port N" line, or None."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(self.logpath, "rb") as f:
                f.seek(self.start_size)
                text = f.read().decode("utf-8", "replace")
            for line in text.splitlines():
                i = line.find("listening on port ")
                if i >= 0:
                    digits = line[i + 18:].split()[0].strip(",;()")
                    if digits.isdigit():
                        self.port = int(digits)
                        return self.port
            if self.proc.poll() is not None:
                return None
            time.sleep(0.05)
        return None

    def log_tail(self, n=8):
        with open(self.logpath, "rb") as f:
            f.seek(self.start_size)
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-n:])

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        self.log.close()

    def terminate(self, timeout=5.0):
        """SIGTERM; the exit status, or None if it did not stop in time."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        self.kill()
        return rc


def estctl(conf, *args):
    r = subprocess.run([ESTCTL, "-c", conf] + list(args),
                       stdin=subprocess.DEVNULL, capture_output=True,
                       text=True, timeout=30)
    if r.returncode != 0:
        raise RuntimeError("estctl %s: exit %d: %s" % (" ".join(args),
                           r.returncode, r.stderr.strip()))
    return r.stdout


def setup(tmp):
    """Config, database, areas and reporters: [(email, token, area)]."""
    conf = os.path.join(tmp, "estd.conf")
    with open(conf, "w") as f:
        f.write("[server]\nlisten = 127.0.0.1:0\nbase_url = http://127.0.0.1\n"
                "templates = %s/reporter-form\n[storage]\ndatabase = estd.db\n"
                "[smtp]\nspool = outbox\n[checklist]\n"
                "file = %s/config/checklist.ini\n" % (TOP, TOP))
    estctl(conf, "init")
    for a in range(AREAS):
        estctl(conf, "area", "add", "omr-%d" % a, "Område %d" % a)

    def add(i):
        area = "omr-%d" % (i % AREAS)
        email = "r%03d@example.org" % i
        out = estctl(conf, "person", "add", "--name", "Rapportör %d" % i,
                     "--email", email, "--org", "Test", "--role", "reporter",
                     "--area", area)
        link = out.strip().splitlines()[-1]
        if "/r/" not in link:
            raise RuntimeError("person add: no /r/ link: %r" % link)
        return (email, link.rsplit("/", 1)[1], area)

    # The first alone: it makes the key file, which concurrent first
    # callers would race to create.
    reporters = [add(0)]
    with ThreadPoolExecutor(max_workers=4) as ex:
        reporters += list(ex.map(add, range(1, REPORTERS)))
    return conf, reporters


def post(conn, token, body):
    conn.request("POST", "/api/v1/reports", body=body,
                 headers={"Authorization": "Bearer " + token,
                          "Content-Type": "application/json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


class Load:
    """THREADS clients; thread t owns reporters t, t+THREADS, ... so each
    reporter's answers arrive in order. Acks go to self.acks as
    (reporter, id, revision, note)."""

    def __init__(self, port, reporters, cycle):
        self.port = port
        self.reporters = reporters
        self.cycle = cycle
        self.killed = threading.Event()
        self.lock = threading.Lock()
        self.acks = []
        self.statuses = {}
        self.errors_before_kill = 0
        self.error_kinds = {}
        self.bad_answers = []
        self.threads = [threading.Thread(target=self.run, args=(t,),
                                         daemon=True)
                        for t in range(THREADS)]

    def start(self):
        for t in self.threads:
            t.start()

    def join(self, timeout):
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in self.threads)

    def run(self, t):
        mine = list(range(t, len(self.reporters), THREADS))
        rnd = random.Random(SEED * 1000 + self.cycle * 100 + t)
        acks, statuses = [], {}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        seq = 0
        try:
            while not self.killed.is_set() or seq == 0:
                i = mine[seq % len(mine)]
                email, token, area = self.reporters[i]
                seq += 1
                note = "c%d-t%d-s%d" % (self.cycle, t, seq)
                ratings = {k: rnd.randint(0, 3)
                           for k in rnd.sample(INDICATORS, 3)}
                body = json.dumps({"area": area, "period": PERIOD,
                                   "ratings": ratings, "note": note})
                try:
                    status, data = post(conn, token, body)
                except (OSError, http.client.HTTPException) as e:
                    conn.close()
                    if self.killed.is_set():
                        break
                    with self.lock:
                        self.errors_before_kill += 1
                        kind = "%s: %s" % (type(e).__name__, e)
                        self.error_kinds[kind] = \
                            self.error_kinds.get(kind, 0) + 1
                    time.sleep(0.02)
                    continue
                statuses[status] = statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    try:
                        d = json.loads(data)
                        acks.append((i, int(d["id"]), int(d["revision"]),
                                     note, status))
                    except (ValueError, KeyError, TypeError):
                        with self.lock:
                            self.bad_answers.append((status, data[:200]))
                elif status == 503:
                    time.sleep(0.01)
                else:
                    with self.lock:
                        self.bad_answers.append((status, data[:200]))
        finally:
            conn.close()
            with self.lock:
                self.acks.extend(acks)
                for k, v in statuses.items():
                    self.statuses[k] = self.statuses.get(k, 0) + v


def open_ro(db):
    return sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=5)


def verify(db, acks, person_ids, prefix=None):
    """Check the ledger against the database. Returns a dict of counts
    and a list of problems (strings). With `prefix`, also counts the
    revisions whose note starts with it but that were never answered."""
    problems = []
    con = open_ro(db)
    try:
        ic = [r[0] for r in con.execute("PRAGMA integrity_check")]
        if ic != ["ok"]:
            problems.append("integrity_check: %s" % "; ".join(ic[:5]))
        stored = {}
        for rid, rev, person, body in con.execute(
                "SELECT rr.report_id, rr.revision, r.person_id, rr.body "
                "FROM report_revisions rr JOIN reports r ON r.id = rr.report_id"):
            try:
                note = json.loads(body).get("note")
            except (ValueError, AttributeError):
                note = None
            stored[(rid, rev)] = (person, note)
        found = lost = wrong = 0
        for (i, rid, rev, note, _status) in acks:
            got = stored.get((rid, rev))
            if got is None:
                lost += 1
                if lost <= 5:
                    problems.append("lost: reporter %d report %d revision %d "
                                    "note %s" % (i, rid, rev, note))
                continue
            person, bnote = got
            if person != person_ids[i] or bnote != note:
                wrong += 1
                if wrong <= 5:
                    problems.append("report %d revision %d: person %s note "
                                    "%r, acknowledged person %s note %r"
                                    % (rid, rev, person, bnote,
                                       person_ids[i], note))
                continue
            found += 1
        if lost > 5:
            problems.append("... %d lost in all" % lost)
        # Revisions of every report: 1..revision, no gaps, one row each.
        gaps = 0
        for rid, rev, n, lo, hi in con.execute(
                "SELECT r.id, r.revision, count(rr.revision), "
                "min(rr.revision), max(rr.revision) FROM reports r "
                "LEFT JOIN report_revisions rr ON rr.report_id = r.id "
                "GROUP BY r.id"):
            if not (n == rev and lo == 1 and hi == rev):
                gaps += 1
                if gaps <= 5:
                    problems.append("report %d: revision %s but %d revision "
                                    "rows (%s..%s)" % (rid, rev, n, lo, hi))
        acked_keys = {(a[1], a[2]) for a in acks}
        unanswered = 0
        if prefix is not None:
            unanswered = sum(1 for k, (_p, note) in stored.items()
                             if isinstance(note, str) and
                             note.startswith(prefix) and k not in acked_keys)
    finally:
        con.close()
    return {"acked": len(acks), "found": found, "lost": lost, "wrong": wrong,
            "integrity": ic[:1] == ["ok"], "unanswered": unanswered}, \
        problems


def person_ids_of(db, reporters):
    con = open_ro(db)
    try:
        ids = dict(con.execute("SELECT email, id FROM people"))
    finally:
        con.close()
    return [ids[r[0]] for r in reporters]


def health(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz")
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def main():
    global ESTD, ESTCTL
    if not (os.access(BUILT_ESTD, os.X_OK) and
            os.access(BUILT_ESTCTL, os.X_OK)):
        tap(False, "build/estd and build/estctl exist (run make all)")
        return 1
    print("# seed %d (CRASH_SEED=%d reproduces the kill times), %d cycles, "
          "%d threads" % (SEED, SEED, CYCLES, THREADS), flush=True)
    rnd = random.Random(SEED)
    tmp = tempfile.mkdtemp(prefix="estd-crash.")
    db = os.path.join(tmp, "estd.db")
    log = os.path.join(tmp, "estd.log")
    open(log, "w").close()
    estd = None
    ledger = []
    try:
        ESTD = os.path.join(tmp, "estd")
        ESTCTL = os.path.join(tmp, "estctl")
        shutil.copy2(BUILT_ESTD, ESTD)
        shutil.copy2(BUILT_ESTCTL, ESTCTL)
        try:
            conf, reporters = setup(tmp)
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            tap(False, "set-up: %d reporters in %d areas" % (REPORTERS, AREAS))
            diag(e)
            return 1
        person_ids = person_ids_of(db, reporters)
        tap(True, "set-up: %d reporters in %d areas" % (REPORTERS, AREAS))

        estd = Estd(conf, log)
        if estd.wait_listening() is None:
            tap(False, "estd starts and listens within 10 s")
            diag(estd.log_tail())
            return 1

        for cycle in range(1, CYCLES + 1):
            load = Load(estd.port, reporters, cycle)
            delay = rnd.uniform(0.5, 2.5)
            t0 = time.monotonic()
            load.start()
            time.sleep(max(0.0, delay - (time.monotonic() - t0)))
            load.killed.set()
            died = estd.proc.poll()
            if died is not None:
                tap(False, "cycle %d: estd still runs when it is to be "
                    "killed (it exited with status %d)" % (cycle, died))
                diag(estd.log_tail(15))
            estd.proc.send_signal(signal.SIGKILL)
            estd.kill()
            estd = None
            if not load.join(15.0):
                tap(False, "cycle %d: client threads end after the kill" % cycle)
                return 1
            ledger.extend(load.acks)
            counts, problems = verify(db, load.acks, person_ids,
                                      "c%d-t" % cycle)
            all_counts, all_problems = verify(db, ledger, person_ids)
            if load.errors_before_kill or load.bad_answers:
                problems.append("%d connection errors before the kill (%s), "
                                "unexpected answers: %s"
                                % (load.errors_before_kill,
                                   "; ".join("%d× %s" % (v, k) for k, v in
                                             sorted(load.error_kinds.items(),
                                                    key=lambda kv: -kv[1])[:4]),
                                   load.bad_answers[:3]))
            statuses = ", ".join("%d×%d" % (v, k)
                                 for k, v in sorted(load.statuses.items()))
            good = (not problems and not all_problems and counts["acked"] > 0
                    and counts["lost"] == 0 and all_counts["lost"] == 0)
            tap(good, "cycle %d: SIGKILL after %.2f s: acknowledged %d, "
                "found %d, lost %d (committed without answer %d); earlier "
                "acknowledged %d all found: %s; integrity_check %s"
                % (cycle, delay, counts["acked"], counts["found"],
                   counts["lost"] + counts["wrong"], counts["unanswered"],
                   all_counts["acked"] - counts["acked"],
                   "yes" if all_counts["found"] == all_counts["acked"]
                   else "NO",
                   "ok" if counts["integrity"] else "FAILED"))
            print("#   answers: %s" % (statuses or "none"), flush=True)
            for p in (problems + all_problems)[:12]:
                diag(p)

            # Restart on the same database; revisions continue from the
            # stored one (read while estd is down).
            i = (cycle * 37) % REPORTERS
            email, token, area = reporters[i]
            con = open_ro(db)
            try:
                row = con.execute("SELECT id, revision FROM reports WHERE "
                                  "person_id = ? AND period = ?",
                                  (person_ids[i], PERIOD)).fetchone()
            finally:
                con.close()
            estd = Estd(conf, log)
            if estd.wait_listening() is None:
                tap(False, "cycle %d: estd restarts on the same database"
                    % cycle)
                diag(estd.log_tail())
                return 1
            status, body = health(estd.port)
            note = "c%d-restart" % cycle
            conn = http.client.HTTPConnection("127.0.0.1", estd.port,
                                              timeout=5)
            try:
                pstatus, pdata = post(conn, token, json.dumps(
                    {"area": area, "period": PERIOD,
                     "ratings": {"klotter": 1}, "note": note}))
            finally:
                conn.close()
            try:
                pd = json.loads(pdata)
            except ValueError:
                pd = {}
            if row is None:
                want_status, want_rev = 201, 1
            else:
                want_status, want_rev = 200, row[1] + 1
            hok = status == 200 and json.loads(body or b"{}") == \
                {"status": "ok"}
            pok = pstatus == want_status and pd.get("revision") == want_rev \
                and (row is None or pd.get("id") == row[0])
            tap(hok and pok, "cycle %d: restarted: /healthz %d, a new "
                "report for reporter %d gets %d revision %s (stored "
                "revision %s)" % (cycle, status, i, pstatus,
                                  pd.get("revision"),
                                  row[1] if row else "none"))
            if not pok:
                diag(pdata[:300])
            if 200 <= pstatus < 300 and "id" in pd:
                ledger.append((i, int(pd["id"]), int(pd["revision"]), note,
                               pstatus))

        rc = estd.terminate(5.0)
        estd = None
        tap(rc == 0, "SIGTERM: estd exits 0 within 5 s (exit %s)"
            % ("timeout" if rc is None else rc))
        counts, problems = verify(db, ledger, person_ids)
        tap(not problems and counts["lost"] == 0 and counts["acked"] > 0,
            "after %d cycles: acknowledged %d, found %d, lost %d; "
            "integrity_check %s" % (CYCLES, counts["acked"], counts["found"],
                                    counts["lost"] + counts["wrong"],
                                    "ok" if counts["integrity"] else "FAILED"))
        for p in problems[:12]:
            diag(p)
        return 1 if failures else 0
    except Exception:
        tap(False, "the test ran to its end without an exception")
        diag(traceback.format_exc())
        return 1
    finally:
        if estd is not None:
            estd.kill()
        if failures and os.environ.get("ESTD_KEEP") == "1":
            print("# kept %s" % tmp, flush=True)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    try:
        rc = main()
    except KeyboardInterrupt:
        rc = 1
    print("1..%d" % tests)
    sys.exit(rc)
