import fs from "node:fs";
import { seedDemoRequests } from "@/lib/demo/generate-requests";
import path from "node:path";
import Database from "better-sqlite3";
import { generateLogs } from "@/lib/demo/generate-logs";
import { generateSydent } from "@/lib/demo/generate-sydent";
import { registerDemoServers, seedDemoStaff, type DemoSignIn } from "@/lib/demo/generate-staff";
import { buildSubjectReport } from "@/lib/demo/subjects-report";
import { SYDENT_SCHEMA } from "@/lib/demo/sydent-ddl";
import { DAY_MS } from "@/lib/demo/types";

// The whole demo in one call (used by `demo:generate`): two Sydent databases, their logs and
// the load balancer's log, subjects.json, and (optionally) demo staff and server registrations
// in the console database.

export type GenerateDemoOptions = {
  outDir: string;
  bindings: number;
  seed: string;
  referenceTime: Date;
  logDays: number;
  staff: boolean;
  onProgress?: (message: string) => void;
};

export type DemoSummary = {
  outDir: string;
  seed: string;
  referenceTime: string;
  bindingsRequested: number;
  servers: {
    label: string;
    serverName: string;
    dbPath: string;
    pepper: string;
    ed25519PublicKey: string;
    counts: Record<string, number>;
    peer: { name: string; lastSentVersion: number; lastPokeSucceededAt: string; ownMaxLocalId: number; backlog: number };
    sydentLogGlob: string;
  }[];
  haproxyLogGlob: string;
  logs: { files: number; gzipped: number; bytes: number; lines: number; firstDay: string; lastDay: string; spanDays: number };
  subjectsFile: string;
  signIns: DemoSignIn[] | null;
  timingMs: { sydent: number; logs: number; staff: number; total: number };
};

function tableCounts(file: string): Record<string, number> {
  const d = new Database(file, { readonly: true });
  try {
    const tables = SYDENT_SCHEMA.filter((o) => o.type === "table" && o.name !== "sqlite_sequence").map((o) => o.name);
    return Object.fromEntries(tables.map((t) => [t, (d.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
  } finally {
    d.close();
  }
}

export async function generateDemo(o: GenerateDemoOptions): Promise<DemoSummary> {
  const t0 = Date.now();
  const outDir = path.resolve(o.outDir);
  fs.mkdirSync(outDir, { recursive: true });
  const syd = generateSydent({ ...o, outDir });
  const t1 = Date.now();
  o.onProgress?.(`sydent databases written in ${((t1 - t0) / 1000).toFixed(1)} s; writing logs`);
  const logs = generateLogs({ outDir, seed: o.seed, referenceTime: o.referenceTime, logDays: o.logDays, servers: syd.servers, events: syd.events, replication: syd.replication });
  const t2 = Date.now();
  const subjectsFile = path.join(outDir, "subjects.json");
  fs.writeFileSync(subjectsFile, JSON.stringify(buildSubjectReport(syd.timeline, syd.servers), null, 2) + "\n");
  const sydentLogGlobs = logs.sydentDirs.map((d) => path.join(d, "sydent.log*"));
  const haproxyLogGlob = path.join(logs.haproxyDir, "haproxy.log*");

  let signIns: DemoSignIn[] | null = null;
  if (o.staff) {
    o.onProgress?.("seeding demo staff and registering the demo servers in the console database");
    signIns = await seedDemoStaff(o.seed);
    await registerDemoServers(syd.servers.map((s, i) => ({
      label: s.label, serverName: s.serverName, dbPath: syd.dbPaths[i], sydentLogPaths: [sydentLogGlobs[i]], haproxyLogPaths: [haproxyLogGlob],
    })));
    await seedDemoRequests(JSON.parse(fs.readFileSync(subjectsFile, "utf8")), signIns, o.referenceTime);
  }
  const t3 = Date.now();
  const rep = syd.replication;
  return {
    outDir,
    seed: o.seed,
    referenceTime: o.referenceTime.toISOString(),
    bindingsRequested: o.bindings,
    servers: syd.servers.map((s, i) => {
      const peer = 1 - i;
      return {
        label: s.label,
        serverName: s.serverName,
        dbPath: syd.dbPaths[i],
        pepper: s.pepper,
        ed25519PublicKey: s.key.publicKeyBase64,
        counts: tableCounts(syd.dbPaths[i]),
        peer: {
          name: syd.servers[peer].serverName,
          lastSentVersion: rep.lastSentVersion[i],
          lastPokeSucceededAt: new Date(rep.lastPokeSucceededAt[i]).toISOString(),
          ownMaxLocalId: rep.maxLocalId[i],
          backlog: rep.maxLocalId[i] - rep.lastSentVersion[i],
        },
        sydentLogGlob: sydentLogGlobs[i],
      };
    }),
    haproxyLogGlob,
    logs: {
      files: logs.files.length,
      gzipped: logs.files.filter((f) => f.gzipped).length,
      bytes: logs.files.reduce((a, f) => a + f.bytes, 0),
      lines: logs.files.reduce((a, f) => a + f.lines, 0),
      firstDay: logs.firstDay,
      lastDay: logs.lastDay,
      spanDays: Math.round((Date.parse(logs.lastDay) - Date.parse(logs.firstDay)) / DAY_MS),
    },
    subjectsFile,
    signIns,
    timingMs: { sydent: t1 - t0, logs: t2 - t1, staff: t3 - t2, total: t3 - t0 },
  };
}
