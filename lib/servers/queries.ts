import { db } from "@/lib/db";

// Registered identity servers (console DB). No personal data here: labels, names and paths.

export type ServerRecord = {
  id: string;
  label: string;
  serverName: string;
  dbPath: string;
  sydentLogPaths: string[];
  haproxyLogPaths: string[];
  createdAt: Date;
  updatedAt: Date;
  disabledAt: Date | null;
  clientApiUrl: string | null;
  internalApiUrl: string | null;
  sydentMode: string;
  sydentModeAt: Date | null;
  sydentModeBy: string | null;
  sydentModeNote: string | null;
};

type Row = Omit<ServerRecord, "sydentLogPaths" | "haproxyLogPaths"> & { sydentLogPaths: string; haproxyLogPaths: string };

function parsePaths(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((p): p is string => typeof p === "string") : [];
  } catch {
    return [];
  }
}

export function toServerRecord(row: Row): ServerRecord {
  return { ...row, sydentLogPaths: parsePaths(row.sydentLogPaths), haproxyLogPaths: parsePaths(row.haproxyLogPaths) };
}

/** All servers, enabled first, then by label. */
export async function listServers(opts: { includeDisabled?: boolean } = {}): Promise<ServerRecord[]> {
  const rows = await db().identityServer.findMany({
    where: opts.includeDisabled ? {} : { disabledAt: null },
    orderBy: [{ label: "asc" }],
  });
  return rows.map(toServerRecord).sort((a, b) => Number(!!a.disabledAt) - Number(!!b.disabledAt));
}

export async function getServer(id: string): Promise<ServerRecord | null> {
  const row = await db().identityServer.findUnique({ where: { id } });
  return row ? toServerRecord(row) : null;
}

export async function getServerByLabel(label: string): Promise<ServerRecord | null> {
  const row = await db().identityServer.findUnique({ where: { label } });
  return row ? toServerRecord(row) : null;
}
