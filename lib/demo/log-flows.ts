import { casefold } from "@/lib/sydent/normalise";
import { sydentAsctime, urlEncodeQueryValue } from "@/lib/demo/log-format";
import { homeserverIp, type LogSink } from "@/lib/demo/log-sink";
import { SYNAPSE_UA } from "@/lib/demo/names";
import type { Rng } from "@/lib/demo/prng";
import { pushTime } from "@/lib/demo/servers";
import type { ServerIndex } from "@/lib/demo/subjects";
import type { DemoServer, LogEvent } from "@/lib/demo/types";

// What Sydent 2.7.0 writes for each flow, message by message, with the logger names and line
// numbers seen in the real log (shared/fixtures/sydent-real/is1/sydent.log).

type Ev<K extends LogEvent["kind"]> = Extract<LogEvent, { kind: K }>;

const SMTP = "smtp.demo.custodian.test";
const ORIGINATOR = "{'type': 'alpha', 'text': 'Custodian'}";

export function createFlows(sink: LogSink, servers: [DemoServer, DemoServer], rl: Rng) {
  const { app, raw, request } = sink;
  const hex = (n: number) => `0x7f${rl.hex(n)}`; // CPython object addresses: 0x7f + 10 hex digits

  const callback = (s: ServerIndex, ms: number, hs: string) => {
    app(s, ms, "sydent.threepid.bind", 161, "INFO", `Making bind callback to: matrix://${hs}/_matrix/federation/v1/3pid/onbind`);
    app(s, ms + 1, "sydent.http.matrixfederationagent", 399, "INFO", `Endpoint created with b'${hs}':8448`);
    app(s, ms + 1, "sydent.http.matrixfederationagent", 404, "INFO", `Connecting to ${hs}:8448`);
  };

  /** The origin's 10-second push and, if it arrives, the peer's side of it. */
  const push = (origin: ServerIndex, eventMs: number, lines: (peer: ServerIndex, ms: number) => void) => {
    const t = pushTime(eventMs, origin);
    const url = servers[origin].replicationUrl;
    const peer = (1 - origin) as ServerIndex;
    app(origin, t, "sydent.replication.pusher", 106, "INFO", `Pushing 1 updates to ${url}`);
    const at = t + rl.int(3, 9);
    app(peer, at, "sydent.http.servlets.replication", 61, "INFO", `Push connection made from peer ${servers[origin].serverName}`);
    lines(peer, at);
    request(peer, { ms: at + 1, method: "POST", uri: "/_matrix/identity/replicate/v1/push", status: 200, bytes: 17, ua: "Sydent", clientIp: null, peerIp: servers[origin].hostIp });
    app(origin, at + 2, "sydent.replication.pusher", 115, "INFO", `Pushed updates to ${url} with result 200 b'OK'`);
  };

  const requestToken = (e: Ev<"bind"> | Ev<"session">, ms: number, v: string, ip: string) => {
    const s = e.server;
    if (e.medium === "msisdn") {
      app(s, ms, "sydent.validators.msisdnvalidator", 82, "INFO", `Attempting to text code ${e.session.token} to ${e.typed} (country ${"country" in e ? e.country : 44}) with originator ${ORIGINATOR}`);
      app(s, ms + 180, "sydent.sms.openmarket", 153, "INFO", `Successfully sent SMS (ticket ID: ${rl.hex(8)}-${rl.hex(4)}-${rl.hex(4)}-${rl.hex(4)}-${rl.hex(12)}, request ID ${rl.hex(16)}), OpenMarket API responded with code 202`);
      request(s, { ms: ms + 185, method: "POST", uri: `${v}/validate/msisdn/requestToken`, status: 200, bytes: 94, ua: e.ua, clientIp: ip });
      return;
    }
    app(s, ms, "sydent.validators.emailvalidator", 86, "INFO", `Attempting to mail code ${e.session.token} (nextLink: None) to ${e.typed}`);
    app(s, ms + 3, "sydent.util.emailutils", 96, "INFO", `Sending mail to ${e.typed} with mail server: ${SMTP}`);
    if (e.kind === "session" && e.mailFails) {
      raw(s, ms + 60, mailFailure(ms + 60, e.typed));
      request(s, { ms: ms + 61, method: "POST", uri: "/_matrix/identity/api/v1/validate/email/requestToken", status: 500, bytes: 66, ua: e.ua, clientIp: ip });
      return;
    }
    request(s, { ms: ms + 70, method: "POST", uri: `${v}/validate/email/requestToken`, status: 200, bytes: 21, ua: e.ua, clientIp: ip });
  };

  const bind = (e: Ev<"bind">) => {
    const s = e.server;
    const v = e.via === "v1" ? "/_matrix/identity/api/v1" : "/_matrix/identity/v2";
    const hsIp = homeserverIp(e.homeserver);
    requestToken(e, e.ts - rl.int(60_000, 600_000), v, e.clientIp);
    const submit = e.ts - rl.int(5_000, 50_000);
    app(s, submit - 2, "sydent.validators.common", 62, "INFO", `Setting session ${e.session.sid} as validated`);
    if (e.medium === "email") {
      const q = `token=${e.session.token}&client_secret=${e.session.clientSecret}&sid=${e.session.sid}`;
      request(s, { ms: submit, method: "GET", uri: `/_matrix/identity/api/v1/validate/email/submitToken?${q}`, status: 200, bytes: 183, ua: e.ua, clientIp: e.clientIp });
    } else request(s, { ms: submit, method: "POST", uri: `${v}/validate/msisdn/submitToken`, status: 200, bytes: 17, ua: e.ua, clientIp: e.clientIp });
    callback(s, e.ts + 4, e.homeserver);
    request(s, { ms: e.ts + 7, method: "POST", uri: `${v}/3pid/bind`, status: 200, bytes: 556 + e.address.length, ua: SYNAPSE_UA, clientIp: hsIp });
    if (e.onbindFailed) app(s, e.ts + 60, "sydent.threepid.bind", 208, "WARNING", `Error notifying on bind for ${e.mxid}: Non-OK error code received (500) - rescheduling`);
    else {
      app(s, e.ts + 60, "sydent.threepid.bind", 177, "INFO", `Successfully notified on bind for ${e.mxid}`);
      for (const d of e.delivered) app(s, e.ts + 61, "sydent.threepid.bind", 187, "INFO", `Successfully deleted invite for ${d.address} from the store`);
    }
    if (e.replicated) push(s, e.ts, (peer, at) => app(peer, at, "sydent.http.servlets.replication", 150, "INFO", `Stored association origin ID ${e.localId} from ${servers[s].serverName}`));
  };

  const unbind = (e: Ev<"unbind">) => {
    const s = e.server;
    const hs = e.homeserver;
    if (e.via === "v2") {
      app(s, e.ts - 4, "sydent.hs_federation.verifier", 124, "INFO", `Got keys for ${hs}: caching until ${e.ts + 3_600_000}`);
      app(s, e.ts - 4, "sydent.hs_federation.verifier", 169, "INFO", "verifying sig from key 'ed25519:a_Kq3e'");
      app(s, e.ts - 4, "sydent.hs_federation.verifier", 172, "INFO", `Verified signature with key ed25519:a_Kq3e from ${hs}`);
      app(s, e.ts - 4, "sydent.hs_federation.verifier", 226, "INFO", `Verified request from HS ${hs}`);
    }
    app(s, e.ts, "sydent.db.threepid_associations", 169, "INFO", `Deleting local assoc for ${e.medium}/${e.address}/${e.mxid} replaced 1 rows`);
    app(s, e.ts + 1, "sydent.db.threepid_associations", 389, "INFO", `Deleted 1 rows from global associations for ${e.medium}/${e.address}`);
    if (e.via === "v2") request(s, { ms: e.ts + 2, method: "POST", uri: "/_matrix/identity/v2/3pid/unbind", status: 200, bytes: 2, ua: SYNAPSE_UA, clientIp: homeserverIp(hs) });
    else request(s, { ms: e.ts + 2, method: "POST", uri: "/_matrix/identity/internal/unbind", status: 200, bytes: 2, ua: "curl/7.88.1", clientIp: null });
    if (e.replicated) {
      push(s, e.ts, (peer, at) => {
        app(peer, at, "sydent.http.servlets.replication", 142, "INFO", `Incoming deletion: removing associations for ${e.medium} / ${e.address}`);
        app(peer, at, "sydent.db.threepid_associations", 389, "INFO", `Deleted 1 rows from global associations for ${e.medium}/${e.address}`);
      });
    }
  };

  const storeInvite = (e: Ev<"store-invite">) => {
    const s = e.server;
    app(s, e.ts, "sydent.http.servlets.store_invite_servlet", 77, "INFO", `Store invite request from ${e.sender} to ${e.typed}, in ${e.room}`);
    app(s, e.ts + 4, "sydent.util.emailutils", 96, "INFO", `Sending mail to ${casefold(e.typed)} with mail server: ${SMTP}`);
    const hs = e.sender.slice(e.sender.indexOf(":") + 1);
    request(s, { ms: e.ts + 80, method: "POST", uri: "/_matrix/identity/v2/store-invite", status: 200, bytes: 560 + rl.int(0, 9), ua: SYNAPSE_UA, clientIp: homeserverIp(hs) });
  };

  const session = (e: Ev<"session">) => {
    const v = e.mailFails ? "/_matrix/identity/api/v1" : "/_matrix/identity/v2";
    requestToken(e, e.ts, v, e.clientIp);
  };

  const restart = (e: Ev<"restart">) => {
    const s = e.server;
    app(s, e.ts - 2_000, "twisted", 147, "INFO", "Received SIGTERM, shutting down.");
    app(s, e.ts - 1_990, "twisted", 147, "INFO", "Main loop terminated.");
    app(s, e.ts, "__main__", 82, "INFO", "Starting Sydent server");
    app(s, e.ts, "sydent.db.sqlitedb", 26, "INFO", "Using DB file /var/lib/sydent/sydent.db");
    app(s, e.ts + 71, "sydent.http.httpserver", 182, "INFO", "Starting Client API HTTP server on 0.0.0.0:8090");
    app(s, e.ts + 71, "twisted", 147, "INFO", "Site starting on 8090");
    app(s, e.ts + 72, "twisted", 147, "INFO", `Starting factory <twisted.web.server.Site object at ${hex(10)}>`);
    app(s, e.ts + 72, "sydent.http.httpserver", 258, "INFO", "Loaded server private key and certificate!");
    app(s, e.ts + 72, "sydent.http.httpserver", 259, "INFO", "Starting Replication HTTPS server on 0.0.0.0:4434");
    app(s, e.ts + 73, "twisted", 147, "INFO", "Site (TLS) starting on 4434");
    app(s, e.ts + 73, "twisted", 147, "INFO", `Starting factory <twisted.web.server.Site object at ${hex(10)}>`);
    app(s, e.ts + 73, "sydent.http.httpserver", 196, "INFO", "Starting Internal API HTTP server on ::1:8091");
  };

  return {
    play(e: LogEvent) {
      if (e.kind === "bind") bind(e);
      else if (e.kind === "unbind") unbind(e);
      else if (e.kind === "store-invite") storeInvite(e);
      else if (e.kind === "session") session(e);
      else restart(e);
    },
    lookup(s: ServerIndex, ms: number, medium: string, address: string, found: boolean, clientIp: string, ua: string) {
      const uri = `/_matrix/identity/api/v1/lookup?medium=${medium}&address=${urlEncodeQueryValue(address)}`;
      request(s, { ms, method: "GET", uri, status: 200, bytes: found ? 290 + 2 * address.length : 2, ua, clientIp });
    },
  };
}

/** smtplib without SMTPUTF8 cannot send to a non-ASCII address (fixture: is2's log). */
function mailFailure(ms: number, typed: string): string {
  const at = [...typed].findIndex((c) => c.charCodeAt(0) > 127);
  const code = typed.charCodeAt(at);
  const ch = code > 0xff ? `u${code.toString(16).padStart(4, "0")}` : `x${code.toString(16)}`;
  return [
    `${sydentAsctime(ms)} - twisted - 147 - CRITICAL - Unhandled Error`,
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3/dist-packages/twisted/web/resource.py", line 267, in render',
    "    return m(request)",
    '  File "/opt/sydent/sydent/http/servlets/__init__.py", line 174, in inner',
    "    return dict_to_json_bytes(f(self, request))",
    '  File "/opt/sydent/sydent/http/servlets/emailservlet.py", line 97, in render_POST',
    "    sid = self.sydent.validators.email.requestToken(",
    '  File "/opt/sydent/sydent/validators/emailvalidator.py", line 92, in requestToken',
    "    sendEmail(self.sydent, templateFile, emailAddress, substitutions)",
    "--- <exception caught here> ---",
    '  File "/opt/sydent/sydent/util/emailutils.py", line 128, in sendEmail',
    '    smtp.sendmail(mailFrom, mailTo, mailStringCRLF.encode("utf-8"))',
    '  File "/usr/lib/python3.11/smtplib.py", line 892, in sendmail',
    "    (code, resp) = self.rcpt(each, rcpt_options)",
    '  File "/usr/lib/python3.11/smtplib.py", line 553, in rcpt',
    '    self.putcmd("rcpt", "TO:%s%s" % (quoteaddr(recip), optionlist))',
    '  File "/usr/lib/python3.11/smtplib.py", line 378, in putcmd',
    "    self.send(f'{s}{CRLF}')",
    '  File "/usr/lib/python3.11/smtplib.py", line 357, in send',
    "    s = s.encode(self.command_encoding)",
    `builtins.UnicodeEncodeError: 'ascii' codec can't encode character '\\${ch}' in position ${at + 9}: ordinal not in range(128)`,
    "",
  ].join("\n");
}
