#!/usr/bin/python3
"""smtpd_fixture: a real SMTP server on 127.0.0.1 for tests/check_mail.c.

Built on Debian's python3-aiosmtpd. It listens on a free port and prints
that port on stdout once it accepts connections. It stops when its stdin
is closed (the test holds the other end, so a crashed test takes the
server with it) or after --lifetime seconds.

Every accepted message is written to DIR/N.eml (the bytes as received)
and DIR/N.json (envelope, TLS and AUTH state, and the message as
Python's email package parses it: decoded subject, From, To, Message-ID,
text and html bodies with LF line ends, attachments). Both are written
before the 250 reply, by rename, so a client that got its 250 finds them
complete. Each MAIL, RCPT, DATA and AUTH the server sees is appended to
DIR/commands.log, so a test can tell that nothing was sent.

Options:
  --dir DIR              where messages and commands.log go (required)
  --rcpt ADDR=REPLY      answer RCPT TO:<ADDR> with REPLY ("451" or
                         "550 5.1.1 No such user"); repeatable
  --data REPLY           answer every DATA (after the message) with REPLY
  --tls CERT KEY         offer STARTTLS with this certificate
  --refuse-starttls      offer STARTTLS but answer it 454
  --auth USER:PASS       offer AUTH (PLAIN, LOGIN, also without TLS) and
                         require it before MAIL
  --lifetime SECONDS     exit after this long (default 120)
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult

DEFAULT_TEXT = {
    "451": "451 4.2.0 Mailbox temporarily unavailable",
    "452": "452 4.3.1 Insufficient system storage",
    "550": "550 5.1.1 No such user",
    "554": "554 5.6.0 Message refused",
}


def reply(code):
    """A full reply line from "451" or "451 text"."""
    code = code.strip()
    return DEFAULT_TEXT.get(code, code if " " in code else code + " Refused")


class Recorder:
    def __init__(self, args):
        self.dir = args.dir
        self.rcpt = dict(reply_for.split("=", 1) for reply_for in args.rcpt)
        self.data = args.data
        self.count = 0

    def log(self, line):
        with open(os.path.join(self.dir, "commands.log"), "a") as f:
            f.write(line + "\n")

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        self.log("MAIL " + address)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        self.log("RCPT " + address)
        if address in self.rcpt:
            return reply(self.rcpt[address])
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.log("DATA")
        if self.data:
            return reply(self.data)
        self.count += 1
        raw = envelope.original_content
        base = os.path.join(self.dir, str(self.count))
        write_file(base + ".eml", raw)
        write_file(base + ".json",
                   json.dumps(describe(raw, envelope, session),
                              ensure_ascii=False, indent=1).encode())
        return "250 2.0.0 Ok: queued as Q%d" % self.count


def write_file(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def lf(s):
    return s.replace("\r\n", "\n")


def describe(raw, envelope, session):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    out = {
        "mail_from": envelope.mail_from,
        "rcpt_tos": envelope.rcpt_tos,
        "tls": session.ssl is not None,
        "authenticated": bool(session.authenticated),
        "subject": str(msg["subject"]),
        "from": str(msg["from"]),
        "to": str(msg["to"]),
        "message_id": str(msg["message-id"]),
        "content_type": msg.get_content_type(),
        "defects": sum(len(p.defects) for p in msg.walk()),
        "text": None,
        "html": None,
        "attachments": [],
    }
    body = msg.get_body(("plain",))
    if body is not None:
        out["text"] = lf(body.get_content())
    body = msg.get_body(("html",))
    if body is not None:
        out["html"] = lf(body.get_content())
    for part in msg.iter_attachments():
        content = part.get_content()
        out["attachments"].append({
            "filename": part.get_filename(),
            "content_type": part.get_content_type(),
            "content": content if isinstance(content, str)
            else content.decode("latin-1"),
        })
    return out


class FixtureSMTP(SMTP):
    refuse_starttls = False

    async def smtp_STARTTLS(self, arg):
        if self.refuse_starttls:
            await self.push("454 4.7.0 TLS not available due to temporary "
                            "reason")
            return
        await super().smtp_STARTTLS(arg)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--rcpt", action="append", default=[])
    p.add_argument("--data")
    p.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--refuse-starttls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--lifetime", type=float, default=120)
    args = p.parse_args()

    recorder = Recorder(args)
    tls_context = None
    if args.tls or args.refuse_starttls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        if args.tls:
            tls_context.load_cert_chain(args.tls[0], args.tls[1])

    kwargs = {}
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (data.login.decode() == user and
                  data.password.decode() == password)
            recorder.log("AUTH %s %s %s" % (mechanism, data.login.decode(),
                                            "ok" if ok else "bad"))
            # handled=False: aiosmtpd itself answers 535 on failure.
            return AuthResult(success=ok, handled=False)

        kwargs = dict(authenticator=authenticator, auth_required=True,
                      auth_require_tls=False)

    def factory():
        server = FixtureSMTP(recorder, hostname="fixture.test",
                             tls_context=tls_context, **kwargs)
        server.refuse_starttls = args.refuse_starttls
        return server

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host="127.0.0.1", port=0)
    print(server.sockets[0].getsockname()[1], flush=True)

    done = loop.create_future()

    def stdin_ready():
        if not os.read(sys.stdin.fileno(), 512) and not done.done():
            done.set_result(None)

    loop.add_reader(sys.stdin.fileno(), stdin_ready)
    try:
        await asyncio.wait_for(done, args.lifetime)
    except asyncio.TimeoutError:
        pass
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
