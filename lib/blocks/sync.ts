import path from "node:path";
import { recordAccess } from "@/lib/audit/log";
import type { Actor } from "@/lib/audit/types";
import { BlockFileError } from "@/lib/blocks/lists";
import { compareWithHaproxy, haproxyTarget, repairDrift, type ListDrift } from "@/lib/blocks/enforce";
import { HaproxySocketError } from "@/lib/blocks/runtime";

// `blocks:sync` and the status panel: what HAProxy really holds (`show acl`) against the console's
// active blocks and the files. Drift is logged (block.drift) and, when asked, repaired (block.sync):
// the console is the source of truth, so HAProxy and the files are brought to it.

export type SyncOutcome =
  | { ok: true; inSync: boolean; repaired: number; expected: number; inHaproxy: number; drifted: (ListDrift & { list: string })[] }
  | { ok: false; code: string; message: string };

export async function syncBlocks(actor: Actor, opts: { repair: boolean }): Promise<SyncOutcome> {
  try {
    const target = haproxyTarget();
    const report = await compareWithHaproxy(target);
    const drifted = report.drifted.map((d) => ({ ...d, list: path.basename(d.file) }));
    const counts = drifted.map((d) => ({ list: d.list, missing: d.missing, extra: d.extra, fileDiffers: d.fileDiffers }));
    if (!report.ok) await recordAccess({ actor, action: "block.drift", outcome: "ok", details: { lists: counts } });
    let repaired = 0;
    if (opts.repair && !report.ok) {
      repaired = await repairDrift(target, report);
      await recordAccess({ actor, action: "block.sync", outcome: "ok", details: { repairedLists: repaired, expected: report.expected } });
    } else if (opts.repair) {
      await recordAccess({ actor, action: "block.sync", outcome: "ok", details: { repairedLists: 0, expected: report.expected } });
    }
    return { ok: true, inSync: report.ok, repaired, expected: report.expected, inHaproxy: report.inHaproxy, drifted };
  } catch (e) {
    if (e instanceof HaproxySocketError || e instanceof BlockFileError) {
      const code = e instanceof HaproxySocketError ? `haproxy-${e.code}` : "block-file";
      await recordAccess({ actor, action: opts.repair ? "block.sync" : "block.status", outcome: "error", details: { code } });
      return { ok: false, code, message: e.message };
    }
    throw e;
  }
}
