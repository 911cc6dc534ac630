import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { buildPackage, sha256 } from "@/lib/exports/build";
import { ANOTHER_USER } from "@/lib/exports/redaction";
import { findingsFor, REFERENCE_NOW, subjects, type TruthSubject } from "@/lib/exports/test-findings";
import type { BuiltPackage } from "@/lib/exports/types";
import { zipFiles } from "@/lib/exports/zip";
import { fixtureDb, INSTANCES, truth } from "@/lib/sydent/test-fixtures";

// The package for every truth.json subject, built from the real fixture's rows and log lines:
// exactly the subject's records, other people only in redacted form, no secret value anywhere.

const request = { id: "req1", reference: "DSR-2026-0001" };
const build = (s: TruthSubject): BuiltPackage =>
  buildPackage({ findings: findingsFor(s), request, kind: "access", accessHistory: [], generatedAt: REFERENCE_NOW });
const text = (p: BuiltPackage) => p.files.map((f) => f.bytes.toString("utf8")).join("\n").toLowerCase();
const data = (p: BuiltPackage) => JSON.parse(p.files.find((f) => f.name === "data.json")!.bytes.toString("utf8"));

// Every secret value held in the fixture databases (read here only to prove none is released).
const SECRETS = INSTANCES.flatMap((i) => {
  const d = new Database(fixtureDb(i), { readonly: true });
  const col = (sql: string) => (d.prepare(sql).all() as { v: string }[]).map((r) => String(r.v));
  const all = [
    ...col("SELECT clientSecret AS v FROM threepid_validation_sessions"),
    ...col("SELECT token AS v FROM threepid_token_auths"),
    ...col("SELECT token AS v FROM invite_tokens"),
    ...col("SELECT token AS v FROM tokens"),
  ];
  d.close();
  return all;
});

const live = <T extends { state: string }>(xs: T[]): T[] => xs.filter((x) => x.state !== "delivered_deleted");
const ownIds = (s: TruthSubject) => new Set([...s.threepids.map((t) => t.address.toLowerCase()), ...(s.mxid ? [s.mxid.toLowerCase()] : [])]);

describe.each(subjects.map((s) => [s.key, s] as const))("package for %s", (_key, s) => {
  const p = build(s);
  const d = data(p);
  const all = text(p);

  it("holds exactly the subject's bindings, sessions, invites and account", () => {
    const held = s.threepids.filter((t) => t.state === "bound" || t.state === "unbound");
    expect(new Set(d.records.bindings.map((b: { address: string }) => b.address))).toEqual(new Set(held.map((t) => t.address)));
    for (const t of held.filter((x) => x.state === "bound")) {
      for (const i of INSTANCES) {
        const name = truth.instances[i].server_name;
        const rows = d.records.bindings.filter((b: { server: string; address: string; table: string; mxid: string }) => b.server === name && b.address === t.address && b.table === "global_threepid_associations");
        expect(rows.map((r: { mxid: string }) => r.mxid)).toEqual([s.mxid]);
      }
    }
    for (const t of held.filter((x) => x.state === "unbound")) {
      expect(d.records.bindings.some((b: { address: string; state: string }) => b.address === t.address && b.state === "tombstone")).toBe(true);
    }
    expect(d.records.sessions.map((x: { sid: string }) => x.sid).sort()).toEqual(s.validation_sessions.map((v) => String(v.sid)).sort());
    expect(d.records.invites_to.map((x: { roomId: string }) => x.roomId).sort()).toEqual(live(s.invites_to).map((x) => x.room_id).sort());
    expect(d.records.invites_from.map((x: { roomId: string }) => x.roomId).sort()).toEqual(live(s.invites_from).map((x) => x.room_id).sort());
    const accounts = Object.entries(s.v2_account).filter(([, a]) => a.present).map(([i]) => truth.instances[i as "is1"].server_name);
    expect(d.records.v2_account.map((a: { server: string }) => a.server).sort()).toEqual(accounts.sort());
    const embedded = d.records.embedded_in_other_records.reduce((n: number, e: { count: number }) => n + e.count, 0);
    expect(embedded).toBe(s.data_inside_other_rows_sgAssoc.length);
  });

  it("shows other people only in redacted form", () => {
    const own = ownIds(s);
    for (const other of subjects.filter((o) => o.key !== s.key)) {
      for (const id of [...other.threepids.map((t) => t.address), ...(other.mxid ? [other.mxid] : [])]) {
        if (own.has(id.toLowerCase())) continue;
        expect(all.includes(id.toLowerCase()), `${other.key}'s ${id} in ${s.key}'s package`).toBe(false);
        expect(all.includes(id.toLowerCase().replace("@", "%40")), `${other.key}'s ${id} (url-encoded)`).toBe(false);
      }
    }
    for (const i of d.records.invites_to) if (!own.has(String(i.sender).toLowerCase())) expect(i.sender).toBe(ANOTHER_USER);
    const redactedInviters = p.redactions.filter((r) => r.rule === "inviter").length;
    expect(redactedInviters).toBe(live(s.invites_to).filter((i) => !own.has(i.sender.toLowerCase())).length);
  });

  it("contains no secret value from the identity databases", () => {
    expect(SECRETS.length).toBeGreaterThan(10);
    for (const f of p.files) for (const secret of SECRETS) expect(f.bytes.includes(Buffer.from(secret)), `${f.name}`).toBe(false);
  });

  it("lists every file in the manifest with its SHA-256", () => {
    const manifest = JSON.parse(p.files.find((f) => f.name === "manifest.json")!.bytes.toString("utf8"));
    const others = p.files.filter((f) => f.name !== "manifest.json");
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(others.map((f) => f.name));
    for (const f of others) expect(manifest.files.find((m: { name: string }) => m.name === f.name).sha256).toBe(sha256(f.bytes));
    expect(manifest.schemaVersion).toBe("custodian-subject-export/1");
  });
});

describe("package details", () => {
  const alice = subjects.find((s) => s.key === "alice")!;

  it("notes original timestamp units (ms for bindings, s for invites)", () => {
    const d = data(build(alice));
    const b = d.records.bindings[0];
    expect(b.tsUnit).toBe("ms");
    expect(b.ts).toBe(new Date(b.tsOriginal).toISOString());
    const inv = d.records.invites_from[0];
    expect(inv.receivedUnit).toBe("s");
    expect(inv.received).toBe(new Date(inv.receivedOriginal * 1000).toISOString());
  });

  it("neutralises spreadsheet formulas in CSV cells", () => {
    const f = findingsFor(alice);
    f.servers[0].invitesFrom[0].roomId = "=HYPERLINK(\"http://x\")";
    const p = buildPackage({ findings: f, request, kind: "access", accessHistory: [{ at: REFERENCE_NOW, role: "dpo", action: "subject.reveal", purpose: "+cmd", outcome: "ok" }], generatedAt: REFERENCE_NOW });
    const csv = p.files.find((x) => x.name === "csv/invites_from.csv")!.bytes.toString("utf8");
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(p.files.find((x) => x.name === "who-accessed.csv")!.bytes.toString("utf8")).toContain("'+cmd");
  });

  it("who-accessed.csv carries each entry's seq, the number its inclusion proof carries; the guide does not claim the list is complete", () => {
    const history = [
      { at: REFERENCE_NOW, role: "dpo", action: "subject.reveal", purpose: null, outcome: "ok", seq: 17, hash: "a".repeat(64) },
      { at: REFERENCE_NOW, role: "support", action: "subject.search", purpose: null, outcome: "ok", seq: 230, hash: "b".repeat(64) },
    ];
    const accessProofs = { format: "custodian-inclusion-proofs-v1", sth: null, entries: [], pending: [17, 230], howToCheck: "" };
    const p = buildPackage({ findings: findingsFor(alice), request, kind: "access", accessHistory: history, generatedAt: REFERENCE_NOW, accessProofs });
    const csv = p.files.find((x) => x.name === "who-accessed.csv")!.bytes.toString("utf8").trim().split(/\r?\n/);
    expect(csv[0]).toBe("seq,at,role,action,purpose,outcome");
    expect(csv.slice(1).map((l) => l.split(",")[0])).toEqual(["17", "230"]);
    expect(data(p).records.access_history.map((h: { seq: number }) => h.seq)).toEqual([17, 230]);
    const schema = JSON.parse(p.files.find((x) => x.name === "schema.json")!.bytes.toString("utf8"));
    expect(schema.properties.records.properties.access_history.items.properties.seq.type).toEqual(["number", "null"]);
    const guide = p.files.find((x) => x.name === "guide.html")!.bytes.toString("utf8");
    expect(guide).not.toMatch(/list is complete and/i);
    expect(guide).toContain("They cannot show that this list is complete");
    expect(guide).toContain("Match each row to its proof by that number.");
    expect(guide).toMatch(/<th[^>]*>No\.<\/th>/);
  });

  it("zips deterministically", async () => {
    const p = build(alice);
    const a = await zipFiles(p.files, REFERENCE_NOW);
    const b = await zipFiles(build(alice).files, REFERENCE_NOW);
    expect(a.sha256).toBe(b.sha256);
    expect(a.zip.subarray(0, 2).toString()).toBe("PK");
  });

  it("states when the last log copy expires and that secrets exist", () => {
    const p = build(alice);
    const d = data(p);
    const latest = d.records.log_lines.map((l: { expiresAt: string }) => l.expiresAt).sort().at(-1);
    expect(d.lastLogCopyExpiresAt).toBe(latest);
    const guide = p.files.find((x) => x.name === "guide.html")!.bytes.toString("utf8");
    expect(guide).toContain(latest.slice(0, 10));
    expect(guide).toContain("the value is never disclosed");
    expect(d.secrets.some((x: { secret: string }) => x.secret === "v2_access_token")).toBe(true);
  });
});
