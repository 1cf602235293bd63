#!/usr/bin/python3
"""e2e_notify: estd speaks systemd's notify protocol as its unit expects.

A datagram socket stands in for systemd (NOTIFY_SOCKET, WATCHDOG_USEC).
Checked: READY=1 with a STATUS once estd listens; WATCHDOG=1 pings at
about half the interval while all threads are alive; no ping once the
writer thread hangs (fault injection ESTD_FAULT=writer-hang), so systemd
would restart it; RELOADING=1 then READY=1 again on SIGHUP with a good
configuration; a bad one is refused and the old one kept; STOPPING=1 on
SIGTERM and exit 0. Prints TAP lines.
"""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
import estdtest  # noqa: E402
from estdtest import (Estd, copy_binaries, estctl, main, tap,  # noqa: E402
                      wait_until, write_conf)


class Notify:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.messages = []

    def wait(self, pattern, seconds):
        """The first message (after those seen) holding pattern, or None."""
        end = time.time() + seconds
        while time.time() < end:
            self.sock.settimeout(max(0.05, end - time.time()))
            try:
                data = self.sock.recv(4096).decode()
            except socket.timeout:
                break
            self.messages.append(data)
            if pattern in data:
                return data
        return None

    def drain(self, seconds):
        got = []
        end = time.time() + seconds
        while time.time() < end:
            self.sock.settimeout(max(0.05, end - time.time()))
            try:
                got.append(self.sock.recv(4096).decode())
            except socket.timeout:
                break
        return got


def start(tmp, conf, env):
    return Estd(conf, os.path.join(tmp, "estd.log"), None, env)


def port_of(estd, seconds=10):
    """The port this estd said it listens on last, or None."""
    def port():
        m = re.findall(r"listening on port (\d+)", estd.text())
        return int(m[-1]) if m else None
    return wait_until(port, seconds, 0.05)


def run():
    tmp = tempfile.mkdtemp(prefix="estd-notify-")
    procs = []
    try:
        if not copy_binaries(tmp):
            return 1
        conf = write_conf(tmp)
        estctl(conf, None, "init")
        estctl(conf, None, "area", "add", "centrum", "Centrum")
        out = estctl(conf, None, "person", "add", "--name", "Anna",
                     "--email", "anna@ex.org", "--org", "Bo", "--role",
                     "reporter", "--area", "centrum")
        token = out.strip().splitlines()[-1].rsplit("/", 1)[1]

        sockpath = os.path.join(tmp, "notify")
        notify = Notify(sockpath)
        env = {"NOTIFY_SOCKET": sockpath, "WATCHDOG_USEC": "2000000",
               "ESTD_FAULT": None}
        estd = start(tmp, conf, env)
        p = estd.proc
        procs.append(estd)
        ready = notify.wait("READY=1", 10)
        tap(ready is not None and "STATUS=" in ready,
            "READY=1 with a STATUS once estd listens")
        pings = [m for m in notify.drain(3.2) if "WATCHDOG=1" in m]
        tap(len(pings) >= 2, "watchdog pinged %d times in 3 s at "
            "WATCHDOG_USEC=2 s" % len(pings))

        # Reload: a bad configuration is refused, a good one taken.
        good = open(conf).read()
        with open(conf, "a") as f:
            f.write("nonsense = 1\n")
        p.send_signal(signal.SIGHUP)
        time.sleep(1)
        refused = "refused" in estd.text()
        tap(refused and p.poll() is None,
            "SIGHUP with a broken configuration: refused, estd runs on")
        with open(conf, "w") as f:
            f.write(good)
        p.send_signal(signal.SIGHUP)
        tap(notify.wait("RELOADING=1", 10) is not None,
            "SIGHUP with a good configuration: RELOADING=1")
        tap(notify.wait("READY=1", 10) is not None,
            "READY=1 again after the reload, same process")
        tap(p.poll() is None, "the same process runs after the reload")
        port = port_of(estd)
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port,
                                    timeout=5) as r:
            tap(r.status == 200, "healthz 200 after the reload")

        p.send_signal(signal.SIGTERM)
        tap(notify.wait("STOPPING=1", 10) is not None,
            "SIGTERM: STOPPING=1")
        try:
            rc = p.wait(10)
        except subprocess.TimeoutExpired:
            rc = None
        tap(rc == 0, "SIGTERM: exit 0 (got %r)" % rc)

        # A hung writer: no more pings, /healthz says so.
        env["ESTD_FAULT"] = "writer-hang"
        estd = start(tmp, conf, env)
        p = estd.proc
        procs.append(estd)
        notify.wait("READY=1", 10)
        port = port_of(estd)
        req = urllib.request.Request(
            "http://127.0.0.1:%d/api/v1/reports" % port,
            data=json.dumps({"area": "centrum", "nothing": True}).encode(),
            headers={"Authorization": "Bearer " + token,
                     "Content-Type": "application/json"})
        try:
            urllib.request.urlopen(req, timeout=2)
        except Exception:
            pass            # the writer never answers: that is the fault
        time.sleep(31)      # the writer counts as stuck after 30 s
        notify.drain(0.1)
        late = [m for m in notify.drain(3) if "WATCHDOG=1" in m]
        tap(not late, "no watchdog ping while the writer hangs "
            "(systemd would restart estd)")
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port,
                                   timeout=5)
            tap(False, "healthz answers 503 while the writer hangs")
        except urllib.error.HTTPError as e:
            body = e.read().decode()
            tap(e.code == 503 and "writer" in body,
                "healthz answers 503 naming the writer: " + body.strip())
    finally:
        for d in procs:
            d.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if estdtest.failures else 0


if __name__ == "__main__":
    main(run)
