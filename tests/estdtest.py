"""estdtest: what the end-to-end Python tests (tests/e2e_*.py) share.

TAP output (tap, diag, the counts in `tests` and `failures`), the
binaries copied into the temporary directory (ESTD, ESTCTL), an
estd.conf in a part's directory, estctl with a pinned clock (ESTD_NOW),
estd started until it says "listening on port N" and stopped with
SIGTERM, the SMTP fixture (tests/smtpd_fixture.py) on loopback, and the
main loop that runs the parts of a test, kills every process it
started and removes the temporary directory (kept when something failed
and ESTD_KEEP=1 is set). Not a test itself: the name does not match
tests/e2e_*. Standard library only.
"""

import datetime
import glob
import json
import os
import re
import select
import shutil
import signal
import socket
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
# The fixture needs Debian's aiosmtpd, which only Debian's python has.
PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) \
    else sys.executable
# Copies in the temporary directory (set by copy_binaries): a rebuild
# during the test must not swap a binary between two steps.
ESTD = ESTCTL = None

BASE_URL = "https://est.example.se"
FROM = "EST lägesbild <est@example.org>"

failures = 0
tests = 0
PROCS = []          # every process started, killed at exit


def tap(good, text):
    """One TAP line; `good` back, so a caller can go on when it held."""
    global failures, tests
    tests += 1
    if not good:
        failures += 1
    print("%s - %s" % ("ok" if good else "not ok", text), flush=True)
    return good


def diag(text):
    for line in str(text).splitlines():
        print("#   " + line, flush=True)


def later(iso, seconds):
    """The ISO 8601 instant `seconds` after `iso`, same offset."""
    t = datetime.datetime.fromisoformat(iso)
    return (t + datetime.timedelta(seconds=seconds)).isoformat()


def wait_until(pred, timeout, step=0.1):
    """pred() until it is true or `timeout` seconds have passed; its last
    value."""
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


def closed_port():
    """A port on 127.0.0.1 that nobody listens on."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def copy_binaries(tmp):
    """Copy estd and estctl into `tmp` and use the copies; False (and a
    failed check) when they are not built."""
    global ESTD, ESTCTL
    if not (os.access(BUILT_ESTD, os.X_OK) and
            os.access(BUILT_ESTCTL, os.X_OK)):
        tap(False, "%s/estd and %s/estctl exist (run make all)"
            % (BUILD, BUILD))
        return False
    ESTD = os.path.join(tmp, "estd")
    ESTCTL = os.path.join(tmp, "estctl")
    shutil.copy2(BUILT_ESTD, ESTD)
    shutil.copy2(BUILT_ESTCTL, ESTCTL)
    return True


def write_conf(dir, smtp_port=None, extra=""):
    """dir/estd.conf: listening on port 0, database and spool in `dir`,
    mail to 127.0.0.1:smtp_port when given, `extra` sections appended.
    Its path."""
    smtp = ""
    if smtp_port is not None:
        smtp = ("host = 127.0.0.1\n"
                "port = %d\n"
                "starttls = off\n"
                "from = \"%s\"\n" % (smtp_port, FROM))
    conf = os.path.join(dir, "estd.conf")
    with open(conf, "w", encoding="utf-8") as f:
        f.write("[server]\n"
                "listen = 127.0.0.1:0\n"
                "base_url = %s\n"
                "templates = %s/reporter-form\n"
                "[storage]\n"
                "database = %s/estd.db\n"
                "[smtp]\n"
                "%s"
                "spool = %s/spool\n"
                "[checklist]\n"
                "file = %s/config/checklist.ini\n"
                "%s"
                % (BASE_URL, TOP, dir, smtp, dir, TOP, extra))
    return conf


def run_estctl(conf, now, *args, timeout=120):
    """estctl with the clock at `now` (None: the real clock); (exit
    status, stdout, stderr)."""
    env = dict(os.environ)
    env.pop("ESTD_CONFIG", None)
    if now is not None:
        env["ESTD_NOW"] = now
    r = subprocess.run([ESTCTL, "-c", conf] + list(args), env=env,
                       stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    return (r.returncode, r.stdout.decode("utf-8", "replace"),
            r.stderr.decode("utf-8", "replace"))


def estctl(conf, now, *args, check=True):
    """estctl's stdout; RuntimeError on a non-zero exit when `check`."""
    rc, out, err = run_estctl(conf, now, *args)
    if check and rc != 0:
        raise RuntimeError("estctl %s: exit %d: %s" % (" ".join(args), rc,
                           err.strip()))
    return out


def add_person(conf, now, name, addr, org, role, areas):
    """estctl person add (areas None: all areas); the personal link."""
    args = ["person", "add", "--name", name, "--email", addr, "--org", org,
            "--role", role]
    if areas is None:
        args.append("--all-areas")
    else:
        for a in areas:
            args += ["--area", a]
    link = estctl(conf, now, *args).strip().splitlines()[-1]
    want = BASE_URL + ("/r/" if role == "reporter" else "/k/")
    if not link.startswith(want):
        raise RuntimeError("person add %s: last line %r is not a %s... "
                           "link" % (addr, link, want))
    return link


class Fixture:
    """tests/smtpd_fixture.py in `dir`: the relay, with its options."""

    def __init__(self, dir, *options):
        self.dir = dir
        os.makedirs(dir, exist_ok=True)
        self.errpath = os.path.join(dir, "fixture.stderr")
        self.err = open(self.errpath, "ab")
        self.proc = subprocess.Popen(
            [PYTHON, FIXTURE, "--dir", dir, "--lifetime", "300"]
            + list(options), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.err)
        PROCS.append(self.proc)
        self.port = None
        line = b""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not line.endswith(b"\n"):
            r, _, _ = select.select([self.proc.stdout], [], [], 0.2)
            if r:
                c = os.read(self.proc.stdout.fileno(), 64)
                if not c:
                    break
                line += c
        if line.strip().isdigit():
            self.port = int(line.strip())
        else:
            self.stop()
            with open(self.errpath, "rb") as f:
                tail = f.read().decode("utf-8", "replace")[-600:]
            raise RuntimeError("the SMTP fixture did not start: %r %s"
                               % (line, tail))

    def messages(self):
        """[(json description, raw bytes)] of every message taken, in
        order."""
        out = []
        names = glob.glob(os.path.join(self.dir, "*.json"))
        for n in sorted(int(os.path.basename(p)[:-5]) for p in names
                        if os.path.basename(p)[:-5].isdigit()):
            base = os.path.join(self.dir, str(n))
            with open(base + ".json", encoding="utf-8") as f:
                d = json.load(f)
            with open(base + ".eml", "rb") as f:
                out.append((d, f.read()))
        return out

    def count(self):
        return len([p for p in glob.glob(os.path.join(self.dir, "*.json"))
                    if os.path.basename(p)[:-5].isdigit()])

    def commands(self):
        try:
            with open(os.path.join(self.dir, "commands.log")) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

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
    """One estd process with ESTD_NOW = `now` (None: the real clock) and
    `env` added to the environment (a value None removes the variable);
    its output appended to `logpath`."""

    def __init__(self, conf, logpath, now, env=None):
        self.logpath = logpath
        if not os.path.exists(logpath):
            open(logpath, "w").close()
        self.start_size = os.path.getsize(logpath)
        self.log = open(logpath, "ab")
        e = dict(os.environ)
        e.pop("ESTD_CONFIG", None)
        if now is not None:
            e["ESTD_NOW"] = now
        for k, v in (env or {}).items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = v
        self.proc = subprocess.Popen([ESTD, "-c", conf], env=e,
                                     stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        PROCS.append(self.proc)
        self.port = None

    def text(self):
        """What this process has logged so far."""
        with open(self.logpath, "rb") as f:
            f.seek(self.start_size)
            return f.read().decode("utf-8", "replace")

    def wait_listening(self, timeout=10.0):
        """The port from the "listening on port N" line, or None."""
        def port():
            m = re.search(r"listening on port (\d+)", self.text())
            if m:
                return int(m.group(1))
            if self.proc.poll() is not None:
                return -1
            return None
        p = wait_until(port, timeout, 0.05)
        self.port = p if p and p > 0 else None
        return self.port

    def log_tail(self, n=10):
        return "\n".join(self.text().splitlines()[-n:])

    def terminate(self, timeout=10.0):
        """SIGTERM; the exit status, or None if it did not stop in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        self.kill()
        return rc

    def kill(self):
        kill_proc(self.proc)
        if not self.log.closed:
            self.log.close()


def start_estd(conf, log, now, what):
    """Estd listening within 10 s, or a failed check and RuntimeError."""
    estd = Estd(conf, log, now)
    if estd.wait_listening() is None:
        tap(False, "%s: estd starts and says \"listening on port N\" "
            "within 10 s" % what)
        diag(estd.log_tail())
        estd.kill()
        raise RuntimeError("estd did not start")
    return estd


def stop_estd(estd, what):
    """SIGTERM; a failed check unless estd exits 0 within 10 s."""
    rc = estd.terminate(10.0)
    if rc != 0:
        tap(False, "%s: estd stops on SIGTERM with status 0 (status %s)"
            % (what, "timeout" if rc is None else rc))
        diag(estd.log_tail())


def kill_estds():
    """Kill every estd still running (a part that failed midway)."""
    for p in PROCS:
        if p.poll() is None and p.args[0] == ESTD:
            kill_proc(p)


def run_parts(name, parts, after_part=kill_estds):
    """Run each (title, fn) of `parts` as fn(its own directory) in a
    temporary directory "estd-NAME.*" with copies of the binaries; an
    exception fails the part. after_part() runs after each. Exit
    status 1 when any check failed."""
    tmp = tempfile.mkdtemp(prefix="estd-%s." % name)
    try:
        if not copy_binaries(tmp):
            return 1
        for i, (title, fn) in enumerate(parts, 1):
            t0 = time.monotonic()
            print("# %d. %s" % (i, title), flush=True)
            d = os.path.join(tmp, "part%d" % i)
            os.makedirs(d)
            try:
                fn(d)
            except Exception:
                tap(False, "%s: ran to its end without an exception" % title)
                diag(traceback.format_exc())
            finally:
                after_part()
            print("#   %.1f s" % (time.monotonic() - t0), flush=True)
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


def main(run):
    """Exit with run()'s status after the TAP plan; SIGTERM and ^C kill
    every process started."""
    signal.signal(signal.SIGTERM, on_signal)
    try:
        rc = run()
    except KeyboardInterrupt:
        for p in PROCS:
            kill_proc(p)
        rc = 1
    print("1..%d" % tests, flush=True)
    sys.exit(rc)
