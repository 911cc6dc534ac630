import type { ConsoleTx } from "@/lib/db";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { BlockFileError, desiredLists, listFile, readListFile, restoreLists, writeLists, type DesiredLists } from "@/lib/blocks/lists";
import type { BlockKind, BlockScope } from "@/lib/blocks/targets";
import { HaproxySocketError, patchAcl, replaceAcl, showAcls } from "@/lib/blocks/runtime";

// Bringing HAProxy to what the console says: the files first (the source HAProxy restarts from),
// then the running process through the runtime API. Any failure restores the files and throws a
// specific error, so the caller's transaction rolls back and nothing is half-applied.

export type HaproxyTarget = { socket: string; dir: string };

export function haproxyTarget(): HaproxyTarget {
  const e = env();
  if (!e.CUSTODIAN_HAPROXY_SOCKET) {
    throw new HaproxySocketError("not-configured", "Blocks cannot be applied: CUSTODIAN_HAPROXY_SOCKET (HAProxy's admin socket) is not set.");
  }
  return { socket: e.CUSTODIAN_HAPROXY_SOCKET, dir: e.haproxyBlockDir };
}

type Reader = Pick<ConsoleTx, "abuseBlock">;

/**
 * The lists the active blocks need. With `only` (the lists one change touches: a block's kind and
 * scope), just those lists: a single block change then reads, writes and patches one list instead
 * of every list (100,000 blocks: see BENCHMARKS.md). blocks:sync and drift repair use all lists.
 */
export async function desiredFromDb(reader: Reader, dir: string, only?: { kind: string; scope: string }[]): Promise<DesiredLists> {
  const where = only ? { state: "active", OR: only.map((k) => ({ kind: k.kind, scope: k.scope })) } : { state: "active" };
  const active = await reader.abuseBlock.findMany({ where, select: { kind: true, value: true, scope: true } });
  const lists = desiredLists(dir, active);
  if (!only) return lists;
  const keep = new Set(only.map((k) => listFile(dir, k.kind as BlockKind, k.scope as BlockScope)));
  return new Map([...lists].filter(([file]) => keep.has(file)));
}

/** Writes the files and applies the difference to the running HAProxy; restores the files on failure. */
export async function applyLists(target: HaproxyTarget, desired: DesiredLists): Promise<{ added: number; removed: number }> {
  // Read HAProxy's state first: an unreachable or read-only socket fails before any file changes.
  const current = await showAcls(target.socket, [...desired.keys()]);
  const before = writeLists(desired);
  let added = 0;
  let removed = 0;
  try {
    for (const [file, want] of desired) {
      const have = current.get(file)!;
      const add = [...want].filter((p) => !have.has(p));
      const del = [...have].filter((p) => !want.has(p));
      await patchAcl(target.socket, file, add, del);
      added += add.length;
      removed += del.length;
    }
  } catch (e) {
    restoreLists(before);
    // Put back what HAProxy held before (best effort; blocks:sync reports anything left over).
    for (const [file, have] of current) await replaceAcl(target.socket, file, have).catch(() => {});
    throw e;
  }
  return { added, removed };
}

export type ListDrift = {
  file: string;
  expected: number;
  inHaproxy: number;
  inFile: number;
  /** Patterns the console expects that HAProxy lacks (blocks not enforced). */
  missing: number;
  /** Patterns HAProxy holds that the console does not (blocked without a record). */
  extra: number;
  fileDiffers: boolean;
};

export type SyncReport = { ok: boolean; drifted: ListDrift[]; lists: ListDrift[]; expected: number; inHaproxy: number };

/** Compares the console's active blocks with HAProxy (`show acl`) and with the files. */
export async function compareWithHaproxy(target: HaproxyTarget): Promise<SyncReport & { desired: DesiredLists }> {
  const desired = await desiredFromDb(db(), target.dir);
  const lists: ListDrift[] = [];
  const held = await showAcls(target.socket, [...desired.keys()]);
  for (const [file, want] of desired) {
    const have = held.get(file)!;
    let inFile: Set<string>;
    try {
      inFile = readListFile(file);
    } catch (e) {
      if (e instanceof BlockFileError && e.reason.startsWith("missing")) inFile = new Set();
      else throw e;
    }
    const missing = [...want].filter((p) => !have.has(p)).length;
    const extra = [...have].filter((p) => !want.has(p)).length;
    const fileDiffers = inFile.size !== want.size || [...want].some((p) => !inFile.has(p));
    lists.push({ file, expected: want.size, inHaproxy: have.size, inFile: inFile.size, missing, extra, fileDiffers });
  }
  const drifted = lists.filter((l) => l.missing || l.extra || l.fileDiffers);
  return {
    ok: drifted.length === 0,
    drifted,
    lists,
    expected: lists.reduce((n, l) => n + l.expected, 0),
    inHaproxy: lists.reduce((n, l) => n + l.inHaproxy, 0),
    desired,
  };
}

/** Rewrites every drifted list: the file atomically, HAProxy's copy by prepare + commit. */
export async function repairDrift(target: HaproxyTarget, report: Awaited<ReturnType<typeof compareWithHaproxy>>): Promise<number> {
  const files = new Set(report.drifted.map((d) => d.file));
  if (!files.size) return 0;
  writeLists(new Map([...report.desired].filter(([f]) => files.has(f))));
  for (const f of files) await replaceAcl(target.socket, f, report.desired.get(f)!);
  return files.size;
}
