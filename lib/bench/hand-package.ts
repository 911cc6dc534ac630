import yazl from "yazl";
import { handMxid, handThreepid, type HandDb, type Sink } from "@/lib/bench/hand";
import type { Medium } from "@/lib/sydent/normalise";

// The package "by hand": the operator's statements for the 3PID, then the full-scan statements
// for every Matrix ID bound to it (what Custodian's expansion does), every row dumped as JSON,
// one file per table, zipped. No redaction, no guide, no manifest: the bare minimum baseline.

export async function handPackage(dbs: HandDb[], medium: Medium, address: string): Promise<number> {
  const sink: Sink = [];
  handThreepid(dbs, medium, address, sink);
  const mxids = new Set<string>();
  for (const part of sink) if (part.table === "local" || part.table === "global") for (const r of part.rows as { mxid: string | null }[]) if (r.mxid) mxids.add(r.mxid);
  for (const m of mxids) handMxid(dbs, m, sink);
  const byTable = new Map<string, unknown[]>();
  for (const part of sink) byTable.set(part.table, [...(byTable.get(part.table) ?? []), ...part.rows]);
  const zip = new yazl.ZipFile();
  for (const [table, rows] of byTable) zip.addBuffer(Buffer.from(JSON.stringify(rows, null, 2)), `${table}.json`, { compress: true });
  zip.end();
  let bytes = 0;
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) bytes += chunk.length;
  return bytes;
}
