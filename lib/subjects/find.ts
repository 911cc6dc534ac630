import { findLogFiles } from "@/lib/logs/files";
import { searchLogs } from "@/lib/logs/search";
import { listServers } from "@/lib/servers/queries";
import { searchIdentityServers } from "@/lib/subjects/search";
import type { SubjectFindings, SubjectQuery } from "@/lib/subjects/types";

// One complete search for a person: every registered identity server (lib/subjects/search.ts),
// then every registered log file still on disk (lib/logs/search.ts), with progress for the slow
// part. Shared by the page's streaming route, the server actions and the command line.

export type FindProgress =
  | { phase: "databases"; server?: string; step?: string }
  | { phase: "logs"; filesDone: number; filesTotal: number; bytesRead: number; linesScanned: number }
  | { phase: "done" };

export type FindOptions = { expand: boolean; onProgress?: (p: FindProgress) => void; now?: Date };

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export async function findSubject(query: SubjectQuery, opts: FindOptions): Promise<SubjectFindings> {
  const now = opts.now ?? new Date();
  opts.onProgress?.({ phase: "databases" });
  const db = await searchIdentityServers(query, {
    expand: opts.expand,
    onProgress: (p) => opts.onProgress?.({ phase: "databases", server: p.server, step: p.step }),
  });
  const servers = (await listServers()).filter((s) => !s.disabledAt);
  const files = await findLogFiles(servers);
  const ids = db.identifiers;
  const logs = await searchLogs(files, ids, {
    now,
    onProgress: (p) =>
      opts.onProgress?.({
        phase: "logs",
        filesDone: num(p.filesDone), filesTotal: num(p.filesTotal), bytesRead: num(p.bytesRead), linesScanned: num(p.linesScanned),
      }),
  });
  opts.onProgress?.({ phase: "done" });
  return {
    query,
    identifiers: db.identifiers,
    expanded: db.expanded,
    servers: db.servers,
    logs,
    foundAnywhere: db.foundAnywhere || logs.findings.length > 0,
    searchedAt: now.toISOString(),
  };
}
