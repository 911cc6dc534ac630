import Database from "better-sqlite3";
import { recordAccess } from "@/lib/audit/log";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import type { Actor } from "@/lib/audit/types";
import { getServerByLabel, listServers } from "@/lib/servers/queries";
import { sydentOverview, type OverviewResult } from "@/lib/sydent/overview";
import { slowest } from "@/lib/sydent/timing";
import { probeSydent } from "@/lib/servers/api-urls";

/** Does each registered Sydent URL answer? (null = not registered). A live server whose internal API does not answer cannot be erased. */
export async function sydentApis(t: Target) {
  const probe = async (url: string | null | undefined, kind: "client" | "internal") => (url ? { url, ...(await probeSydent(url, kind)) } : null);
  return { mode: t.sydentMode ?? null, clientApi: await probe(t.clientApiUrl, "client"), internalApi: await probe(t.internalApiUrl, "internal") };
}

// server:check: inspect Sydent databases (registered ones, or any file with --db) and print JSON.
// Exit 1 when any database has schema drift or cannot be read.

/**
 * SQLite's PRAGMA quick_check (b-tree pages, record formats, NOT NULL; skips index-content
 * cross-checks, so it is O(n) and safe beside a live Sydent: a read transaction only).
 */
export function quickCheck(file: string): { ok: true } | { ok: false; problems: string[] } {
  let conn: Database.Database | null = null;
  try {
    conn = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
    const rows = conn.prepare("PRAGMA quick_check(20)").pluck().all() as string[];
    return rows.length === 1 && rows[0] === "ok" ? { ok: true } : { ok: false, problems: rows };
  } catch (e) {
    return { ok: false, problems: [(e as Error).message] };
  } finally {
    conn?.close();
  }
}

type Target = { id?: string; label?: string; serverName?: string; file: string; clientApiUrl?: string | null; internalApiUrl?: string | null; sydentMode?: string };

async function targets(label?: string, file?: string): Promise<Target[]> {
  if (file) return [{ file }];
  if (label) {
    const s = await getServerByLabel(label);
    if (!s) throw new UsageError(`No registered server labelled "${label}".`);
    return [{ id: s.id, label: s.label, serverName: s.serverName, file: s.dbPath, clientApiUrl: s.clientApiUrl, internalApiUrl: s.internalApiUrl, sydentMode: s.sydentMode }];
  }
  return (await listServers()).map((s) => ({ id: s.id, label: s.label, serverName: s.serverName, file: s.dbPath, clientApiUrl: s.clientApiUrl, internalApiUrl: s.internalApiUrl, sydentMode: s.sydentMode }));
}

export function report(t: Target, o: OverviewResult) {
  const base = { label: t.label ?? null, serverName: t.serverName ?? null, file: t.file, ok: o.ok };
  if (!o.ok) return { ...base, error: o.error };
  const { inspection: i } = o;
  return {
    ...base,
    userVersion: i.userVersion,
    tables: i.tables.map((x) => ({ name: x.name, columns: x.columns.length })),
    drift: i.drift,
    knownDrift: i.knownDrift,
    counts: o.counts,
    pepperPresent: o.pepperPresent,
    newestLocalId: o.newestLocalId,
    tombstones: o.tombstones,
    peers: o.peers,
    globalByOrigin: o.globalByOrigin,
    sgAssocWithInvites: o.sgAssocWithInvites,
    warnings: o.warnings,
    slowestStatement: slowest(o.timings),
  };
}

async function log(actor: Actor, t: Target, o: OverviewResult) {
  await recordAccess({
    actor,
    action: "server.check",
    target: t.id ? { type: "server", ref: t.id } : undefined,
    outcome: o.ok ? "ok" : "error",
    details: { label: t.label, file: t.id ? undefined : t.file, driftItems: o.ok ? o.inspection.drift.length : undefined, errorKind: o.ok ? undefined : o.error.kind },
  });
}

export default defineCommand({
  name: "server:check",
  summary: "Inspect Sydent databases: schema drift, counts, replication peers, SQLite quick_check. Exit 1 on drift, damage or error.",
  options: {
    server: { type: "string", description: "Label of a registered server (default: every enabled server)." },
    db: { type: "string", description: "Path of a Sydent SQLite file (registered or not)." },
    operator: { type: "string", description: "Staff e-mail; when given, each check is access-logged (server.check)." },
  },
  async run({ values }) {
    const label = values.server as string | undefined;
    const file = values.db as string | undefined;
    if (label && file) throw new UsageError("Give --server or --db, not both.");
    const actor = values.operator ? await resolveOperator(values.operator as string, "servers.view") : null;
    const list = await targets(label, file);
    if (list.length === 0) throw new UsageError("No enabled server is registered; use --db <path> or server:register.");
    const reports = [];
    let failed = false;
    for (const t of list) {
      const o = await sydentOverview(t.file, { serverName: t.serverName });
      if (actor) await log(actor, t, o);
      const integrity = quickCheck(t.file);
      failed ||= !o.ok || o.inspection.drift.length > 0 || !integrity.ok;
      const apis = t.id ? await sydentApis(t) : null;
      // A live server needs its internal API for erasures: not answering is a failed check.
      if (apis && apis.mode === "live" && apis.internalApi && !apis.internalApi.answers) failed = true;
      reports.push({ ...report(t, o), integrity: integrity.ok ? "ok" : "damaged", ...(integrity.ok ? {} : { integrityProblems: integrity.problems }), sydent: apis });
    }
    printJson({ ok: !failed, servers: reports });
    return failed ? 1 : 0;
  },
});
