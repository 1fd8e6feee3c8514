#!/usr/bin/python3
"""smtpd.py - the test SMTP server of touchbase's unit and end-to-end tests.

Usage:
  /usr/bin/python3 tests/smtpd.py --port-file FILE [options]

Listening
  --host ADDR            address to listen on (default 127.0.0.1; only
                         loopback addresses are accepted)
  --port N               port (default 0: the kernel picks a free one)
  --port-file FILE       once listening, write the port and a newline to FILE
                         (atomically: wait for FILE to exist, then read it)
  --pidfile FILE         write the server's PID to FILE
  --hostname NAME        name in the greeting and EHLO (default smtpd.test)
  --silent               accept every connection and read what the client
                         sends, but never write a byte: no greeting, no
                         reply (to test a client's timeout); --events still
                         records "connect N" and "disconnect N"; the TLS,
                         AUTH, storage and fault options are ignored

TLS and AUTH
  --tls-cert PEM --tls-key PEM
                         offer STARTTLS and require it before MAIL/AUTH
                         (530 5.7.0 Must issue a STARTTLS command first)
  --starttls-optional    offer STARTTLS but do not require it
  --no-starttls          never offer STARTTLS even with a certificate (to test
                         a client that must refuse to send in clear)
  --smtps                implicit TLS from the first byte (smtps://);
                         needs --tls-cert/--tls-key
  --auth-user USER --auth-password-file FILE
                         require AUTH (PLAIN or LOGIN, only over TLS) with
                         USER and the first line of FILE; wrong credentials
                         get 535 5.7.8, MAIL without AUTH gets 530 5.7.0

Storage
  --spool DIR            store every accepted message as DIR/NNNNNN.eml (the
                         bytes as received after dot-unstuffing, CRLF line
                         ends) and then DIR/NNNNNN.json, the envelope:
                           {"seq": 1, "connection": 1, "mail_from": "a@x",
                            "rcpt_tos": ["b@y"], "tls": true,
                            "auth_user": "u" or null, "helo": "...",
                            "size": 1234, "late": false}
                         The .json appears last: a message is complete once
                         its .json exists.  "connection" numbers the TCP
                         connections from 1, so a test can tell whether two
                         messages shared one.
  --maildir DIR          the same as --spool (the files are not a Maildir)
  --events FILE          append one line per event: "connect N",
                         "disconnect N", "auth N USER ok|fail",
                         "fault N WHAT CODE", "accept N SEQ"

Fault injection (COUNT: only the first COUNT times; default: always)
  --fail-mail CODE[:COUNT]   reply CODE to MAIL FROM
  --fail-rcpt CODE[:COUNT]   reply CODE to RCPT TO
  --fail-rcpt-to ADDR        only for this recipient (with --fail-rcpt)
  --fail-data CODE[:COUNT]   reply CODE after the final dot (the message is
                             not stored)
  --drop-during-data[=COUNT] close the connection after the final dot,
                             before any reply (the message is not stored)
  --slow-data SECONDS[:COUNT]
                             wait SECONDS before the reply to the final dot;
                             the message is stored with "late": true and the
                             250 is sent late on the same connection (the
                             "late reply" a client must not misread)
  --slow-rcpt SECONDS[:COUNT]
                             wait SECONDS before replying to RCPT TO
  Injected replies read "CODE X.0.0 smtpd.py: injected failure at WHAT".

  -v, --verbose          log the SMTP dialogue to stderr

Stops cleanly on SIGTERM or SIGINT (exit 0).  A shell helper to start,
wait for and stop it is in tests/e2e/lib.sh.
"""

import argparse
import asyncio
import ipaddress
import json
import logging
import os
import signal
import ssl
import sys

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:  # pragma: no cover - reported to the caller
    sys.stderr.write("smtpd.py: aiosmtpd is not installed "
                     "(apt-get install python3-aiosmtpd)\n")
    sys.exit(77)


class Fault:
    """A fault that fires for the first `count` occasions (None: always)."""

    def __init__(self, spec, kind=int):
        self.value = None
        self.count = None
        if spec is None:
            return
        head, sep, tail = str(spec).partition(":")
        self.value = kind(head)
        if sep:
            self.count = int(tail)

    def fire(self):
        if self.value is None:
            return False
        if self.count is None:
            return True
        if self.count <= 0:
            return False
        self.count -= 1
        return True


def injected(code, what):
    return "%d %d.0.0 smtpd.py: injected failure at %s" % (
        code, code // 100, what)


class Server:
    def __init__(self, args):
        self.args = args
        self.connections = 0
        self.seq = 0
        self.fail_mail = Fault(args.fail_mail)
        self.fail_rcpt = Fault(args.fail_rcpt)
        self.fail_data = Fault(args.fail_data)
        self.slow_data = Fault(args.slow_data, float)
        self.slow_rcpt = Fault(args.slow_rcpt, float)
        self.drop = Fault(None)
        if args.drop_during_data is not None:
            self.drop.value = 1
            self.drop.count = args.drop_during_data or None
        self.password = None
        if args.auth_password_file:
            with open(args.auth_password_file, encoding="utf-8") as f:
                self.password = f.read().split("\n", 1)[0].rstrip("\r")

    def event(self, line):
        if not self.args.events:
            return
        with open(self.args.events, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    # aiosmtpd handler hooks -------------------------------------------

    async def handle_MAIL(self, server, session, envelope, address,
                          mail_options):
        if self.fail_mail.fire():
            self.event("fault %d MAIL %d" % (session.tb_conn,
                                             self.fail_mail.value))
            return injected(self.fail_mail.value, "MAIL")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope, address,
                          rcpt_options):
        if self.slow_rcpt.fire():
            await asyncio.sleep(self.slow_rcpt.value)
        only = self.args.fail_rcpt_to
        if (only is None or only.lower() == address.lower()) and \
                self.fail_rcpt.fire():
            self.event("fault %d RCPT %d" % (session.tb_conn,
                                             self.fail_rcpt.value))
            return injected(self.fail_rcpt.value, "RCPT")
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        conn = session.tb_conn
        if self.drop.fire():
            self.event("fault %d DROP 0" % conn)
            transport = server._original_transport or server.transport
            transport.abort()
            return "421 4.3.0 dropped"  # never reaches the client
        if self.fail_data.fire():
            self.event("fault %d DATA %d" % (conn, self.fail_data.value))
            return injected(self.fail_data.value, "DATA")
        late = False
        if self.slow_data.fire():
            late = True
            self.event("fault %d SLOW %g" % (conn, self.slow_data.value))
            await asyncio.sleep(self.slow_data.value)
        self.seq += 1
        seq = self.seq
        if self.args.spool:
            self.store(seq, session, envelope, late)
        self.event("accept %d %d" % (conn, seq))
        return "250 2.0.0 OK: queued as T%06d" % seq

    def store(self, seq, session, envelope, late):
        base = os.path.join(self.args.spool, "%06d" % seq)
        body = envelope.original_content or b""
        meta = {
            "seq": seq,
            "connection": session.tb_conn,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "tls": session.tb_tls or session.ssl is not None,
            "auth_user": session.tb_user,
            "helo": session.host_name,
            "size": len(body),
            "late": late,
        }
        for suffix, data in ((".eml", body),
                             (".json", (json.dumps(meta, indent=1) +
                                        "\n").encode())):
            tmp = base + suffix + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.rename(tmp, base + suffix)

    # AUTH ------------------------------------------------------------

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login.decode() == self.args.auth_user and
              auth_data.password.decode() == self.password)
        user = auth_data.login.decode() \
            if isinstance(auth_data, LoginPassword) else "?"
        self.event("auth %d %s %s" % (session.tb_conn, user,
                                      "ok" if ok else "fail"))
        if ok:
            session.tb_user = user
        return AuthResult(success=ok, handled=False)


class SilentProtocol(asyncio.Protocol):
    """--silent: takes the connection, reads and discards, never answers."""

    def __init__(self, state, **kwargs):
        self.state = state
        self.conn = 0

    def connection_made(self, transport):
        self.state.connections += 1
        self.conn = self.state.connections
        self.state.event("connect %d" % self.conn)

    def data_received(self, data):
        pass

    def connection_lost(self, exc):
        self.state.event("disconnect %d" % self.conn)


def make_smtp_class(state):
    class TestSMTP(SMTP):
        def connection_made(self, transport):
            upgrade = (self._original_transport is not None and
                       self.transport is not None)
            prev = self.session
            super().connection_made(transport)
            if upgrade:
                # STARTTLS starts a new session on the same connection.
                self.session.tb_conn = prev.tb_conn
                self.session.tb_user = None
                self.session.tb_tls = True
                return
            state.connections += 1
            self.session.tb_conn = state.connections
            self.session.tb_user = None
            self.session.tb_tls = state.args.smtps
            state.event("connect %d" % self.session.tb_conn)

        def connection_lost(self, error):
            if self.session is not None:
                state.event("disconnect %d" % self.session.tb_conn)
            super().connection_lost(error)

    return TestSMTP


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="smtpd.py", description="touchbase's test SMTP server",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--pidfile")
    p.add_argument("--hostname", default="smtpd.test")
    p.add_argument("--silent", action="store_true")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--starttls-optional", action="store_true")
    p.add_argument("--no-starttls", action="store_true")
    p.add_argument("--smtps", action="store_true")
    p.add_argument("--auth-user")
    p.add_argument("--auth-password-file")
    p.add_argument("--spool", "--maildir", dest="spool")
    p.add_argument("--events")
    p.add_argument("--fail-mail")
    p.add_argument("--fail-rcpt")
    p.add_argument("--fail-rcpt-to")
    p.add_argument("--fail-data")
    p.add_argument("--drop-during-data", nargs="?", type=int, const=0)
    p.add_argument("--slow-data")
    p.add_argument("--slow-rcpt")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    if not ipaddress.ip_address(args.host).is_loopback:
        p.error("--host must be a loopback address")
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if args.silent and args.smtps:
        p.error("--silent does not go with --smtps")
    if args.smtps and not args.tls_cert:
        p.error("--smtps needs --tls-cert and --tls-key")
    if bool(args.auth_user) != bool(args.auth_password_file):
        p.error("--auth-user and --auth-password-file go together")
    return args


def write_atomically(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, path)


async def serve(args):
    state = Server(args)
    ctx = None
    if args.tls_cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
    kwargs = {
        "hostname": args.hostname,
        "ident": "smtpd.py (touchbase tests)",
        "enable_SMTPUTF8": True,
        "decode_data": False,
    }
    if ctx is not None and not args.smtps and not args.no_starttls:
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = not args.starttls_optional
    if args.auth_user:
        kwargs["authenticator"] = state.authenticate
        kwargs["auth_required"] = True
        # Over implicit TLS aiosmtpd cannot tell the session is encrypted.
        kwargs["auth_require_tls"] = not args.smtps
    smtp_class = make_smtp_class(state)
    if args.silent:
        smtp_class = SilentProtocol
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: smtp_class(state, loop=loop, **kwargs),
        host=args.host, port=args.port,
        ssl=ctx if args.smtps else None)
    port = server.sockets[0].getsockname()[1]
    if args.pidfile:
        write_atomically(args.pidfile, "%d\n" % os.getpid())
    if args.port_file:
        write_atomically(args.port_file, "%d\n" % port)
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set_result, None)
    await stop
    server.close()


def main(argv):
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.CRITICAL,
        format="smtpd.py: %(message)s")
    if args.spool:
        os.makedirs(args.spool, exist_ok=True)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
