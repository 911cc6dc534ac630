import { closeCustodianConnections, countsOf, custodianEmbedded, custodianPackage, custodianRecordAccess, custodianSearch, statementMsOf } from "@/lib/bench/custodian";
import { handMxid, handSgAssoc, handThreepid, type HandAnswer, type HandDb } from "@/lib/bench/hand";
import { handPackage } from "@/lib/bench/hand-package";
import { interleaved, ratio, summarise, timeIt, type Summary } from "@/lib/bench/stats";
import type { Measurement } from "@/lib/bench/types";
import type { SearchServer } from "@/lib/subjects/search";
import { keyOf } from "@/lib/subjects/search-server";
import type { Medium } from "@/lib/sydent/normalise";

// The individual measurements. Each returns Measurement rows; answers are cross-checked
// (Custodian's record counts against the hand-SQL counts) into `mismatches`.

export type ThreepidSubject = { medium: Medium; address: string };
export type Ctx = { servers: SearchServer[]; hand: HandDb[]; mismatches: string[]; iterations: number };

const row = (key: string, label: string, c: Summary | null, h: Summary | null, target: number | null, note?: string): Measurement => ({
  key, label, custodian: c, hand: h, ratio: ratio(c, h), target, ...(note ? { note } : {}),
});

function compare(ctx: Ctx, what: string, i: number, mine: HandAnswer, theirs: HandAnswer): void {
  const diff = (Object.keys(mine) as (keyof HandAnswer)[]).filter((k) => mine[k] !== theirs[k]);
  if (diff.length) ctx.mismatches.push(`${what} subject #${i}: ${diff.map((k) => `${k} custodian ${mine[k]} vs hand ${theirs[k]}`).join(", ")}`);
}

/** 3PID search (database work) vs hand SQL, the access-log write, and their sum. */
export async function measureThreepid(ctx: Ctx, subjects: ThreepidSubject[], label = ""): Promise<Measurement[]> {
  const answers = new Map<string, { c?: HandAnswer; h?: HandAnswer; sg?: number; other?: number }>();
  const slot = (s: ThreepidSubject) => answers.get(s.address) ?? answers.set(s.address, {}).get(s.address)!;
  const samples = await interleaved(subjects, {
    custodian: async (s) => {
      const f = await custodianSearch({ kind: s.medium, address: s.address }, false, ctx.servers);
      const st = statementMsOf(f);
      Object.assign(slot(s), { c: countsOf(f), sg: st.sgAssoc, other: st.other });
    },
    hand: (s) => void (slot(s).h = handThreepid(ctx.hand, s.medium, s.address)),
  });
  const timed = subjects.slice(0, samples.custodian.length);
  timed.forEach((s, i) => compare(ctx, `3PID${label}`, i, slot(s).c!, slot(s).h!));
  const otherStatements = timed.map((s) => slot(s).other ?? 0);
  const logSamples: number[] = [];
  for (const s of timed) logSamples.push(await timeIt(() => custodianRecordAccess(s.medium, s.address)));
  const c = summarise(samples.custodian);
  const h = summarise(samples.hand);
  const sgNote = `wall time of searchIdentityServers; includes its check of other people's sgAssoc (cached invite index, then reads and parses every row that carries invites: statements alone median ${summarise(timed.map((s) => slot(s).sg ?? 0)).medianMs.toFixed(1)} ms); the hand SQL has no sgAssoc statement`;
  return [
    row(`threepid${label}`, `3PID search, database work${label}`, c, h, 1.5, sgNote),
    row(`threepid-no-sgassoc${label}`, `3PID search, statement time without sgAssoc${label}`, summarise(otherStatements), h, 1.5,
      "sum of Custodian's own per-statement timings (timingsMs) except the sgAssoc check: the same work as the hand SQL, without JS time between statements"),
    row(`access-log${label}`, `access-log write (recordAccess)${label}`, summarise(logSamples), null, null),
    row(`threepid-with-log${label}`, `3PID search + access-log write${label}`, summarise(samples.custodian.map((x, i) => x + logSamples[i])), h, null),
  ];
}

/** Matrix ID search (reverse, chunked scans) vs hand `WHERE mxid = ?` full scans. */
export async function measureMxid(ctx: Ctx, mxids: string[], label = ""): Promise<Measurement[]> {
  const answers = new Map<string, { c?: HandAnswer; h?: HandAnswer }>();
  const slot = (m: string) => answers.get(m) ?? answers.set(m, {}).get(m)!;
  const samples = await interleaved(mxids, {
    custodian: async (m) => void (slot(m).c = countsOf(await custodianSearch({ kind: "mxid", mxid: m }, true, ctx.servers))),
    hand: (m) => void (slot(m).h = handMxid(ctx.hand, m)),
  });
  mxids.slice(0, samples.custodian.length).forEach((m, i) => compare(ctx, `Matrix ID${label}`, i, slot(m).c!, slot(m).h!));
  return [row(`mxid${label}`, `Matrix ID search (reverse, chunked)${label}`, summarise(samples.custodian), summarise(samples.hand), null)];
}

/** The sgAssoc embedded-data check: Custodian cold (chunked scan building its index), warm, and the hand LIKE scan. */
export async function measureSgAssoc(ctx: Ctx, subjects: { address: string; medium: Medium; mxid: string }[]): Promise<Measurement[]> {
  const cold: number[] = [];
  const warm: number[] = [];
  const hand: number[] = [];
  const files = ctx.servers.map((s) => s.dbPath!);
  for (const s of subjects) {
    const needles = { addresses: new Set([keyOf(s.medium, s.address)]), mxids: new Set([s.mxid]) };
    await closeCustodianConnections();
    cold.push(await timeIt(() => custodianEmbedded(files, needles)));
    warm.push(await timeIt(() => custodianEmbedded(files, needles)));
    hand.push(await timeIt(() => handSgAssoc(ctx.hand, s)));
  }
  const h = summarise(hand);
  return [
    row("sgassoc-cold", "sgAssoc embedded data, first search (full chunked scan)", summarise(cold), h, null),
    row("sgassoc-warm", "sgAssoc embedded data, later searches (cached invite index)", summarise(warm), h, null),
  ];
}

/** Package generation (search with expansion, access history, build, zip) vs the hand-made dump. */
export async function measurePackage(ctx: Ctx, subjects: ThreepidSubject[], now: Date): Promise<Measurement[]> {
  const steps: Record<string, number[]> = {};
  const samples = await interleaved(subjects, {
    custodian: async (s) => {
      const r = await custodianPackage({ kind: s.medium, address: s.address }, ctx.servers, now);
      for (const [k, v] of Object.entries(r.stepsMs)) (steps[k] ??= []).push(v);
    },
    hand: (s) => handPackage(ctx.hand, s.medium, s.address),
  });
  const breakdown = Object.entries(steps).map(([k, v]) => `${k} ${summarise(v.slice(-samples.custodian.length)).medianMs.toFixed(1)}`).join(", ");
  return [row("package", "package generation (no log scan)", summarise(samples.custodian), summarise(samples.hand), null,
    `Custodian median per step, ms: ${breakdown}. Hand = the same statements + JSON dump + zip, no guide/redaction/manifest`)];
}
