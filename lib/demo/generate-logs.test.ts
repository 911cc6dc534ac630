import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, FIXTURE_DIR, generateForTest, openRo, TEST_REF, type Generated } from "@/lib/demo/testing";

// Generated log files against the line formats of the real Sydent and HAProxy logs.

// Formats, written from the fixture's real lines (checked against every fixture line below).
const SYDENT_HEAD = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),(\d{3}) - ([\w.]+) - (\d+) - (INFO|WARNING|ERROR|CRITICAL) - (.*)$/;
const ACCESS = /^"([0-9a-f.:]+)" - - \[(\d{2})\/(\w{3})\/(\d{4}):(\d{2}:\d{2}:\d{2}) \+0000\] "(GET|POST) (\S+) HTTP\/1\.[01]" (\d{3}) (\d+) "-" "([^"]*)"$/;
const CONTINUATION = /^( {2}File ".*", line \d+, in \S+| {4}\S.*|Traceback \(most recent call last\):|--- <exception caught here> ---|[\w.]+(Error|Exception): .*|)$/;
const HAPROXY = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})\+00:00 ([\w-]+) haproxy\[(\d+)\]: (?:([0-9a-f.:]+):(\d+) \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3})\] (\S+) (\S+)\/(\S+) (\d+)\/(\d+)\/(\d+)\/(\d+)\/(\d+) (\d{3}) (\d+) - - (\S{4}) (\d+\/){4}\d+ \d+\/\d+ \{([^|}]*)\|([^}]*)\} "(\S+) (\S+) (HTTP\/1\.[01])"|Proxy \S+ stopped \(cumulated conns: FE: \d+, BE: \d+\)\.)$/;

function checkSydent(text: string): { lines: number; access: number; last: string } {
  let inTrace = false;
  let access = 0;
  let last = "";
  const lines = text.split("\n").slice(0, -1);
  for (const line of lines) {
    const m = SYDENT_HEAD.exec(line);
    if (m) {
      inTrace = m[5] === "ERROR" || m[5] === "CRITICAL";
      last = `${m[1]},${m[2]}`;
      if (m[3] === "twisted" && m[6].startsWith('"')) {
        expect(m[6], line).toMatch(ACCESS);
        access++;
      }
    } else {
      expect(inTrace, `continuation outside a traceback: ${line}`).toBe(true);
      expect(line).toMatch(CONTINUATION);
    }
  }
  return { lines: lines.length, access, last };
}

const read = (f: string) => (f.endsWith(".gz") ? zlib.gunzipSync(fs.readFileSync(f)) : fs.readFileSync(f)).toString("utf8");
const toMs = (s: string) => Date.parse(`${s.replace(" ", "T").replace(",", ".")}Z`);

let g: Generated;
beforeAll(() => {
  g = generateForTest({ bindings: 300 });
});
afterAll(() => cleanup(g.dir));

describe("line formats", () => {
  it("the format regexes accept every line of the real fixture logs", () => {
    for (const f of ["is1/sydent.log", "is2/sydent.log"]) expect(checkSydent(read(path.join(FIXTURE_DIR, f))).access).toBeGreaterThan(100);
    for (const line of read(path.join(FIXTURE_DIR, "haproxy/haproxy.log")).split("\n").slice(0, -1)) expect(line).toMatch(HAPROXY);
  });

  it("every generated Sydent and HAProxy line has the real format, in time order, within its day", () => {
    for (const f of g.logs.files) {
      const text = read(f.path);
      if (f.kind === "sydent") {
        const r = checkSydent(text);
        expect(r.lines).toBe(f.lines);
        const heads = text.split("\n").map((l) => SYDENT_HEAD.exec(l)).filter((m) => m !== null).map((m) => toMs(`${m![1]},${m![2]}`));
        expect([...heads].sort((a, b) => a - b)).toEqual(heads);
        for (const t of heads) expect(new Date(t).toISOString().slice(0, 10)).toBe(f.day);
      } else {
        for (const line of text.split("\n").slice(0, -1)) {
          const m = HAPROXY.exec(line);
          expect(m, line).not.toBeNull();
          expect(m![1].slice(0, 10)).toBe(f.day);
        }
      }
    }
  });
});

describe("files", () => {
  it("span more than 200 days with Sydent's and logrotate's names; older ones gzipped; mtime = last line", () => {
    const ref = TEST_REF.getTime();
    const oldest = Math.min(...g.logs.files.map((f) => Date.parse(f.day)));
    expect((ref - oldest) / 86_400_000).toBeGreaterThan(200);
    for (const [i, dir] of g.logs.sydentDirs.entries()) {
      const names = fs.readdirSync(dir);
      expect(names).toContain("sydent.log");
      for (const n of names) expect(n).toMatch(/^sydent\.log(\.\d{4}-\d{2}-\d{2}(\.gz)?)?$/);
      expect(names.filter((n) => n.endsWith(".gz")).length).toBeGreaterThan(150);
      void i;
    }
    const hp = fs.readdirSync(g.logs.haproxyDir);
    expect(hp).toEqual(expect.arrayContaining(["haproxy.log", "haproxy.log.1", "haproxy.log.2.gz", "haproxy.log.205.gz"]));
    for (const n of hp) expect(n).toMatch(/^haproxy\.log(\.1|\.\d+\.gz)?$/);
    for (const f of g.logs.files) {
      expect(f.path.endsWith(".gz")).toBe(f.gzipped);
      const lines = read(f.path).split("\n").filter(Boolean);
      const lastHead = [...lines].reverse().find((l) => SYDENT_HEAD.test(l) || HAPROXY.test(l));
      if (!lastHead) continue;
      const t = f.kind === "sydent" ? toMs(SYDENT_HEAD.exec(lastHead)![1] + "," + SYDENT_HEAD.exec(lastHead)![2]) : Date.parse(`${HAPROXY.exec(lastHead)![1]}Z`);
      expect(Math.abs(fs.statSync(f.path).mtimeMs - t)).toBeLessThan(1000);
      expect(t).toBeLessThanOrEqual(ref);
    }
    const total = g.logs.files.reduce((a, f) => a + f.bytes, 0);
    expect(total).toBeLessThan(10 * 1024 * 1024);
  });
});

describe("content", () => {
  const all = (kind: "sydent" | "haproxy", server?: string) =>
    g.logs.files.filter((f) => f.kind === kind && (!server || f.server === server)).map((f) => ({ f, text: read(f.path) }));

  it("names the demo subjects where a search should find them", () => {
    const is1 = all("sydent", "is1");
    const hp = all("haproxy");
    expect(is1.some((x) => x.text.includes("GET /_matrix/identity/api/v1/lookup?medium=email&address=alice.smith%40example.org"))).toBe(true);
    expect(hp.some((x) => x.text.includes("address=alice.smith%40example.org"))).toBe(true);
    expect(is1.some((x) => x.text.includes("Store invite request from @alice.smith:matrix.example.org to Dan.Okafor@Example.com, in !"))).toBe(true);
    expect(is1.some((x) => x.text.includes("Attempting to mail code") && x.text.includes("to Alice.Smith@Example.org"))).toBe(true);
    expect(hp.some((x) => x.text.includes("203.0.113.24:"))).toBe(true);
    // As typed (Carol.Davis@Example.org), URL-encoded (carol.davis%40example.org) or as her mxid.
    const carol = is1.filter((x) => x.text.toLowerCase().includes("carol.davis")).map((x) => Date.parse(x.f.day));
    expect(Math.min(...carol)).toBeLessThan(TEST_REF.getTime() - 180 * 86_400_000);
    const is2 = all("sydent", "is2");
    expect(is2.some((x) => x.text.includes("CRITICAL - Unhandled Error") && x.text.includes("Zoë.Kowalski@Example.org"))).toBe(true);
    expect(is1.some((x) => x.text.includes("Incoming deletion: removing associations for email / heidi.schmidt@example.net"))).toBe(true);
  });

  it("puts the DB's live session secrets in submitToken URLs (token, client_secret, sid)", () => {
    const d = openRo(g.dbPaths[0]);
    const s = d.prepare("SELECT s.id, s.clientSecret, a.token FROM threepid_validation_sessions s JOIN threepid_token_auths a ON a.validationSession = s.id WHERE s.address = 'Alice.Smith@Example.org'").get() as { id: number; clientSecret: string; token: string };
    d.close();
    expect(s).toBeDefined();
    const uri = `/_matrix/identity/api/v1/validate/email/submitToken?token=${s.token}&client_secret=${s.clientSecret}&sid=${s.id}`;
    expect(all("sydent", "is1").some((x) => x.text.includes(uri))).toBe(true);
    expect(all("haproxy").some((x) => x.text.includes(uri))).toBe(true);
  });

  it("shows is1 failing to push its backlog to is2 since replication got stuck", () => {
    const today = all("sydent", "is1").find((x) => x.f.path.endsWith("sydent.log"))!;
    const errors = today.text.split("\n").filter((l) => l.includes("ERROR - Error pushing updates to https://is2.demo.custodian.test:4434/"));
    expect(errors.length).toBeGreaterThan(100);
    expect(toMs(SYDENT_HEAD.exec(errors[0])![1] + "," + SYDENT_HEAD.exec(errors[0])![2])).toBeGreaterThan(g.replication.stuckSince);
  });
});
