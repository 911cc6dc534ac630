import fs from "node:fs";
import path from "node:path";
import { closeCustodianConnections, custodianSearch } from "@/lib/bench/custodian";
import { closeHand, handMxid, handSgAssoc, handThreepid, openHand } from "@/lib/bench/hand";
import type { ThreepidSubject } from "@/lib/bench/measure";
import { copyForWriting } from "@/lib/bench/setup";
import { ratio, summarise, timeIt } from "@/lib/bench/stats";
import type { ConcurrencyResult, Measurement } from "@/lib/bench/types";
import { startWriter } from "@/lib/bench/writer-control";
import type { SearchServer } from "@/lib/subjects/search";

// The searches again, while a separate process writes to (a copy of) the first identity database
// the way Sydent does. Each phase is reported separately, so a long wait can be attributed:
// Custodian's searches, Custodian's first search on a fresh connection (the one full chunked
// sgAssoc scan), and for contrast the operator's hand SQL (single long statements).

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureConcurrency(o: {
  servers: SearchServer[];
  workDir: string;
  threepids: ThreepidSubject[];
  mxids: string[];
  embedded: { address: string; mxid: string }[];
  writerIntervalMs: number;
  onProgress: (m: string) => void;
}): Promise<ConcurrencyResult> {
  const [first, ...rest] = o.servers;
  o.onProgress(`concurrency: copying ${path.basename(first.dbPath!)} (the cached file stays pristine)`);
  const copy = copyForWriting(first.dbPath!, o.workDir);
  const servers = [{ ...first, dbPath: copy }, ...rest];
  const hand = openHand(servers.map((s) => ({ label: s.label, file: s.dbPath! })));
  await closeCustodianConnections();
  const writer = await startWriter(copy, first.serverName, o.writerIntervalMs);
  const searches: Measurement[] = [];
  let writerStats: Awaited<ReturnType<typeof writer.stop>> = [];
  try {
    await writer.phase("no reader (writer alone)");
    await sleep(2000);
    await writer.phase("custodian: first search, cold sgAssoc scan");
    await custodianSearch({ kind: o.threepids[0].medium, address: o.threepids[0].address }, false, servers);
    await writer.phase("custodian: 3PID searches");
    o.onProgress("concurrency: Custodian 3PID searches under write load");
    const c3: number[] = [];
    for (const s of o.threepids) c3.push(await timeIt(() => custodianSearch({ kind: s.medium, address: s.address }, false, servers)));
    await writer.phase("custodian: Matrix ID searches");
    o.onProgress("concurrency: Custodian Matrix ID searches under write load");
    const cm: number[] = [];
    for (const m of o.mxids) cm.push(await timeIt(() => custodianSearch({ kind: "mxid", mxid: m }, true, servers)));
    await writer.phase("hand SQL: 3PID statements");
    o.onProgress("concurrency: hand SQL under write load");
    const h3: number[] = [];
    for (const s of o.threepids) h3.push(await timeIt(() => handThreepid(hand, s.medium, s.address)));
    await writer.phase("hand SQL: Matrix ID full scans");
    const hm: number[] = [];
    for (const m of o.mxids) hm.push(await timeIt(() => handMxid(hand, m)));
    await writer.phase("hand SQL: sgAssoc LIKE scans");
    for (const e of o.embedded) handSgAssoc(hand, e);
    const pair = (key: string, label: string, c: number[], h: number[]): Measurement => {
      const cs = summarise(c);
      const hs = summarise(h);
      return { key, label, custodian: cs, hand: hs, ratio: ratio(cs, hs), target: key === "load-threepid" ? 1.5 : null };
    };
    searches.push(pair("load-threepid", "3PID search, database work", c3, h3), pair("load-mxid", "Matrix ID search", cm, hm));
  } finally {
    writerStats = await writer.stop();
    closeHand(hand);
    await closeCustodianConnections();
    fs.rmSync(copy, { force: true });
    fs.rmSync(`${copy}-journal`, { force: true });
  }
  return {
    writerIntervalMs: o.writerIntervalMs,
    writableCopyOf: first.dbPath!,
    searches,
    writer: writerStats,
    totalBusyErrors: writerStats.reduce((n, w) => n + w.busyErrors, 0),
    longestWaitMs: Math.max(0, ...writerStats.map((w) => w.maxWaitMs)),
  };
}
