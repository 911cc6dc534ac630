import { recordAccess } from "@/lib/audit/log";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { resolveOperator } from "@/lib/cli/operator";
import type { Actor } from "@/lib/audit/types";
import { getServerByLabel, listServers } from "@/lib/servers/queries";
import { sydentOverview, type OverviewResult } from "@/lib/sydent/overview";
import { slowest } from "@/lib/sydent/timing";
import { integrityLine, integrityReport, quickCheck, type Integrity } from "@/lib/sydent/integrity";
import { probeSydent } from "@/lib/servers/api-urls";

/** Does each registered Sydent URL answer? (null = not registered). A live server whose internal API does not answer cannot be erased. */
export async function sydentApis(t: Target) {
  const probe = async (url: string | null | undefined, kind: "client" | "internal") => (url ? { url, ...(await probeSydent(url, kind)) } : null);
  return { mode: t.sydentMode ?? null, clientApi: await probe(t.clientApiUrl, "client"), internalApi: await probe(t.internalApiUrl, "internal") };
}

// server:check: inspect Sydent databases (registered ones, or any file with --db) and print JSON.
// Exit 1 when any database has schema drift, is damaged or cannot be read or checked.

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

type Apis = Awaited<ReturnType<typeof sydentApis>> | null;

/** The check's result, written after every part of it ran: counts and kinds only, no personal data. */
async function log(actor: Actor, t: Target, o: OverviewResult, i: Integrity, apis: Apis, failed: boolean) {
  await recordAccess({
    actor,
    action: "server.check",
    target: t.id ? { type: "server", ref: t.id } : undefined,
    outcome: failed ? "error" : "ok",
    details: {
      label: t.label,
      file: t.id ? undefined : t.file,
      driftItems: o.ok ? o.inspection.drift.length : undefined,
      errorKind: o.ok ? undefined : o.error.kind,
      integrity: i.integrity,
      integrityProblems: i.integrity === "damaged" ? i.problems.length : undefined,
      integrityErrorKind: i.integrity === "could not check" ? i.error.kind : undefined,
      internalApiAnswers: apis?.internalApi ? apis.internalApi.answers : undefined,
      clientApiAnswers: apis?.clientApi ? apis.clientApi.answers : undefined,
    },
  });
}

export default defineCommand({
  name: "server:check",
  summary: "Inspect Sydent databases: schema drift, counts, replication peers, SQLite quick_check (ok, damaged, or could not check). Exit 1 on drift, damage or error.",
  options: {
    server: { type: "string", description: "Label of a registered server (default: every enabled server)." },
    db: { type: "string", description: "Path of a Sydent SQLite file (registered or not)." },
    operator: { type: "string", description: "Staff e-mail; when given, each check is access-logged (server.check) with its result." },
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
      // A live Sydent's file is copied under a short read lock and checked on the copy (lib/sydent/integrity.ts).
      const integrity = quickCheck(t.file, { stopped: t.sydentMode === "stopped" });
      const apis = t.id ? await sydentApis(t) : null;
      // A live server needs its internal API for erasures: not answering is a failed check.
      const apiDown = !!(apis && apis.mode === "live" && apis.internalApi && !apis.internalApi.answers);
      const bad = !o.ok || o.inspection.drift.length > 0 || integrity.integrity !== "ok" || apiDown;
      failed ||= bad;
      if (actor) await log(actor, t, o, integrity, apis, bad);
      const line = integrityLine(integrity);
      if (line) console.error(`${t.label ?? t.file}: integrity ${line}`);
      reports.push({ ...report(t, o), ...integrityReport(integrity), sydent: apis });
    }
    printJson({ ok: !failed, servers: reports });
    return failed ? 1 : 0;
  },
});
