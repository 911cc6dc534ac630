import { ERROR_TITLES } from "@/lib/sydent/errors";
import { sydentOverview, type OverviewResult } from "@/lib/sydent/overview";

// Before a file is registered (or a path changed), make sure it is a Sydent database that belongs
// to the server being registered. Drift does not block registration: watching a drifted database
// is part of the console's job. Everything that means "wrong file or wrong name" does.

export type FileCheck =
  | { ok: true; warnings: string[]; driftCount: number; overview: OverviewResult }
  | { ok: false; message: string; errorKind: string };

export async function checkSydentFile(dbPath: string, serverName: string): Promise<FileCheck> {
  const overview = await sydentOverview(dbPath, { serverName, skipInviteScan: true });
  if (!overview.ok) {
    const { kind, message } = overview.error;
    return { ok: false, errorKind: kind, message: `${ERROR_TITLES[kind]}: ${message}` };
  }
  if (!overview.pepperPresent) {
    return { ok: false, errorKind: "no_pepper", message: "hashing_metadata has no lookup pepper: this Sydent has never started, or the file is damaged." };
  }
  if (overview.peers.some((p) => p.name === serverName)) {
    return { ok: false, errorKind: "self_peer", message: `${serverName} is listed in this file's peers table: this looks like the peer's database, or the wrong server.name.` };
  }
  if (overview.liveLocalRows > 0 && !overview.globalByOrigin[serverName]) {
    const origins = Object.keys(overview.globalByOrigin).join(", ") || "none";
    return { ok: false, errorKind: "server_name_mismatch", message: `No association in this file has originServer ${serverName} (found: ${origins}). Check Sydent's server.name.` };
  }
  const drift = overview.inspection.drift.map((d) => `Schema drift: ${d.message}`);
  return { ok: true, warnings: [...drift, ...overview.warnings], driftCount: drift.length, overview };
}
