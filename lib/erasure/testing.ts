import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import type { Actor } from "@/lib/audit/types";
import { db } from "@/lib/db";
import { mergeFindings } from "@/lib/exports/collect";
import { withBystanderChoice } from "@/lib/erasure/bystander-choice";
import { runErasureJob } from "@/lib/erasure/engine";
import { planErasure, type ErasurePlan } from "@/lib/erasure/plan";
import { jsonEscaped } from "@/lib/erasure/verify";
import { pseudonymFor } from "@/lib/audit/pseudonym";
import { encryptSecret } from "@/lib/keys";
import { seedRequest, seedStaff } from "@/lib/requests/testing";
import { parseSubjectInput } from "@/lib/subjects/parse";
import { searchIdentityServers, type SearchServer } from "@/lib/subjects/search";
import type { TruthSubject } from "@/lib/subjects/search-truth";
import type { SubjectFindings, SubjectQuery } from "@/lib/subjects/types";
import { casefold } from "@/lib/sydent/normalise";
import { closeSydent } from "@/lib/sydent/open";
import { copyFixture, FIXTURE_DIR, INSTANCES, truth, type Instance } from "@/lib/sydent/test-fixtures";

// Test support for the erasure engine (unit tests, the kill-and-restart child). API:
//   fullTruth, setupWorld(dir) -> World (fixture copies registered as two servers, three staff)
//   findingsForSubject(world, subject)  search (expand) by every identifier of a truth.json subject, merged
//   approvedJob(world, findings)        an "approved" ErasureJob with its plan, as the workflow leaves it
//   dumpDb(file) / rowsMentioning(file, needles)   plain SQL over every table of a Sydent file
// Run as a child: `tsx lib/erasure/testing.ts run-job <jobId> <crashAt>` (exits 137 at the boundary).

export const fullTruth = JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, "truth.json"), "utf8")) as { subjects: TruthSubject[]; reference_now: string };
export const NOW_MS = Date.parse(fullTruth.reference_now);

/** Fixture copies are not served by any Sydent: declared stopped, so the engine writes them directly (after its proof). */
export const NO_SYDENT = { sydentMode: "stopped", sydentModeAt: new Date(), sydentModeBy: "test", sydentModeNote: "fixture copy; no Sydent process" };

export type World = { dir: string; files: Record<Instance, string>; servers: Record<Instance, SearchServer & { dbPath: string }>; requester: Actor; approver: Actor; executor: Actor };

export async function setupWorld(dir: string): Promise<World> {
  fs.mkdirSync(dir, { recursive: true });
  const files = {} as Record<Instance, string>;
  const servers = {} as World["servers"];
  for (const i of INSTANCES) {
    files[i] = copyFixture(i, dir);
    const row = await db().identityServer.create({ data: { label: `${i}-${path.basename(dir)}`, serverName: truth.instances[i].server_name, dbPath: files[i], ...NO_SYDENT } });
    servers[i] = { id: row.id, label: row.label, serverName: row.serverName, dbPath: files[i] };
  }
  const [requester, approver, executor] = [await seedStaff("dpo"), await seedStaff("dpo"), await seedStaff("dpo")];
  return { dir, files, servers, requester: requester.actor, approver: approver.actor, executor: executor.actor };
}

/** Removes the world's servers (server names are unique; other worlds in the same console DB follow). */
export async function retireWorld(w: World): Promise<void> {
  await db().identityServer.deleteMany({ where: { id: { in: INSTANCES.map((i) => w.servers[i].id) } } });
  await closeSydent();
}

export function queriesOf(s: TruthSubject): SubjectQuery[] {
  const out: SubjectQuery[] = [];
  if (s.mxid) out.push({ kind: "mxid", mxid: s.mxid });
  for (const t of s.threepids) {
    const p = parseSubjectInput(t.medium === "email" ? "email" : "phone", t.medium === "email" ? t.address : `+${t.address}`);
    if (p.ok) out.push(p.query);
  }
  return out;
}

export async function findingsForSubject(w: World, s: TruthSubject): Promise<SubjectFindings> {
  const servers = INSTANCES.map((i) => w.servers[i]);
  const all: SubjectFindings[] = [];
  for (const q of queriesOf(s)) {
    const r = await searchIdentityServers(q, { expand: true, servers, nowMs: NOW_MS });
    all.push({ ...r, query: q, logs: null, searchedAt: new Date(NOW_MS).toISOString() });
  }
  return mergeFindings(all);
}

export async function approvedJob(w: World, f: SubjectFindings): Promise<{ jobId: string; plan: ErasurePlan }> {
  // The fixture's files run without a live Sydent, so nobody can re-issue a bystander's
  // association: these file-only tests take the explicit "unbind" choice for every bystander row
  // (issue 8; live tests cover the default re-issue, lib/erasure/bystanders.live.test.ts).
  let plan = planErasure(f, { servers: INSTANCES.map((i) => w.servers[i]) });
  for (const s of plan.servers) for (const e of s.embedding.filter((x) => !x.reissueOnly)) plan = withBystanderChoice(plan, { serverId: s.server.id, globalId: e.globalId, action: "unbind", reason: "file-only engine test: no live Sydent to re-issue" })!;
  const request = await seedRequest({ createdById: w.requester.id!, receivedAt: new Date(NOW_MS), type: "erasure", state: "in_progress" });
  const first = f.identifiers.mxids[0] ? { t: "mxid" as const, v: f.identifiers.mxids[0] } : f.identifiers.emails[0] ? { t: "email" as const, v: f.identifiers.emails[0] } : { t: "msisdn" as const, v: f.identifiers.msisdns[0] };
  const job = await db().erasureJob.create({
    data: {
      requestId: request.id, subjectPseudonym: pseudonymFor(first.t, first.v), subjectMasked: "s•••@example.org",
      subjectEnc: encryptSecret(JSON.stringify(f.identifiers), "subject-identifier-v1"), reason: "own_request", state: "approved",
      requestedById: w.requester.id!, approvedById: w.approver.id!, approvedAt: new Date(), planEnc: encryptSecret(JSON.stringify(plan), "subject-identifier-v1"),
    },
  });
  return { jobId: job.id, plan };
}

const TABLES = ["local_threepid_associations", "global_threepid_associations", "hashing_metadata", "threepid_validation_sessions", "threepid_token_auths", "invite_tokens", "ephemeral_public_keys", "peers", "peer_pubkeys", "accounts", "tokens", "accepted_terms_urls"];

/** Every row of every table (plain SQL on a fresh connection), rowid order. */
export function dumpDb(file: string): Record<string, Record<string, unknown>[]> {
  const d = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(TABLES.map((t) => [t, d.prepare(`SELECT rowid AS _rowid, * FROM ${t} ORDER BY rowid`).all() as Record<string, unknown>[]]));
  } finally {
    d.close();
  }
}

export type Needles = { texts: string[]; numbers: number[] };
export function needlesOf(ids: { emails: string[]; msisdns: string[]; mxids: string[]; sids: string[] }, extraSpellings: string[] = []): Needles {
  const texts = [...ids.emails, ...ids.msisdns, ...ids.mxids, ...extraSpellings].flatMap((x) => [casefold(x), casefold(jsonEscaped(x))]);
  return { texts: [...new Set(texts)], numbers: ids.sids.map(Number) };
}

/** Rows (table, row) in which any needle appears: text columns by casefolded substring, numbers exactly. */
export function rowsMentioning(file: string, n: Needles): { table: string; row: Record<string, unknown> }[] {
  const out: { table: string; row: Record<string, unknown> }[] = [];
  for (const [table, rows] of Object.entries(dumpDb(file))) {
    for (const row of rows) {
      const hit = Object.entries(row).some(([k, v]) => k !== "_rowid" && (typeof v === "string" ? n.texts.some((t) => casefold(v).includes(t)) : typeof v === "number" || typeof v === "bigint" ? n.numbers.includes(Number(v)) : false));
      if (hit) out.push({ table, row });
    }
  }
  return out;
}

const CHILD_ACTOR: Actor = { id: null, label: "cli:erasure-test-child", role: "dpo" };

if (process.argv[2] === "run-job" && process.argv[1]?.endsWith("testing.ts")) {
  const [jobId, crashAt] = [process.argv[3], Number(process.argv[4])];
  runErasureJob(jobId, CHILD_ACTOR, { crashAt, now: () => new Date(NOW_MS), op: { busyTimeoutMs: 500, retries: 1 } })
    .then((r) => {
      process.stdout.write(JSON.stringify(r));
      process.exit(0);
    })
    .catch((e) => {
      process.stderr.write(String((e as Error).stack ?? e));
      process.exit(1);
    });
}
