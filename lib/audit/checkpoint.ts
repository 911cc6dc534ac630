import crypto from "node:crypto";
import fs from "node:fs";
import { db, type ConsoleTx } from "@/lib/db";
import { env } from "@/lib/env";
import { appendEntry, lockAccessLogHead } from "@/lib/audit/append";
import { loadCheckpointKey, readCheckpointKey, type CheckpointKey } from "@/lib/audit/checkpoint-key";
import type { Actor } from "@/lib/audit/types";
import { treeRoot } from "@/lib/audit/tree-store";
import { flushPublications, queuePublication } from "@/lib/audit/publish";

// Signed checkpoints. A checkpoint seals the chain up to `seq`: whoever holds only database access
// can no longer rewrite entries 1..seq (or drop them from the end) without the verification
// noticing, because the checkpoint's signature covers the hash of entry `seq`, and that hash
// covers every earlier entry through prevHash.
//
// Signed message (UTF-8, "\n" separators, no trailing newline), version 1:
//
//   custodian-checkpoint-v1
//   <seq as decimal>
//   <hash of entry seq, 64 lowercase hex>
//   <sealedAt as ISO 8601 UTC with milliseconds, e.g. 2026-11-27T10:00:00.000Z>
//
// Signature: Ed25519 (RFC 8032, pure), stored base64. Key format: lib/audit/checkpoint-key.ts.
//
// Sealing appends an "accessLog.seal" entry first and then seals at the resulting head, all in
// one transaction holding the log's write lock, so the checkpoint covers a well-defined seq (the
// seal entry itself) and the entry and its checkpoint commit together or not at all.

// Version 2, a signed tree head (STH): every field of the row except the signature and the public
// key (which keyId names) is signed, including sealedBy:
//
//   custodian-sth-v2
//   <tree size = seq>
//   <RFC 6962 root of entries 1..seq, 64 lowercase hex>  (lib/audit/merkle.ts)
//   <hash of entry seq>
//   <sealedAt ISO>
//   <keyId>
//   <sealedBy>
//
// Rows with root = null are version-1 checkpoints (sealed before the Merkle tree existed).

export const CHECKPOINT_MESSAGE_VERSION = "custodian-checkpoint-v1";
export const STH_MESSAGE_VERSION = "custodian-sth-v2";

type Signed = { seq: number; hash: string; sealedAt: Date; root?: string | null; keyId?: string; sealedBy?: string };

export function checkpointMessage(c: Signed): Buffer {
  if (c.root) {
    if (/[\r\n]/.test(c.sealedBy ?? "")) throw new Error("sealedBy must not contain a line break");
    return Buffer.from([STH_MESSAGE_VERSION, c.seq, c.root, c.hash, c.sealedAt.toISOString(), c.keyId, c.sealedBy].join("\n"), "utf8");
  }
  return Buffer.from(`${CHECKPOINT_MESSAGE_VERSION}\n${c.seq}\n${c.hash}\n${c.sealedAt.toISOString()}`, "utf8");
}

export function signCheckpoint(c: Signed, key: CheckpointKey): string {
  return crypto.sign(null, checkpointMessage(c), key.privateKey).toString("base64");
}

export function isCheckpointSignatureValid(c: Signed & { signature: string }, publicKey: crypto.KeyObject): boolean {
  try {
    return crypto.verify(null, checkpointMessage(c), publicKey, Buffer.from(c.signature, "base64"));
  } catch {
    return false;
  }
}

export type CheckpointRow = {
  id: number;
  seq: number;
  hash: string;
  sealedAt: Date;
  keyId: string;
  publicKey: string;
  signature: string;
  sealedBy: string;
  root: string | null;
};

export type SealResult = { sealed: boolean; checkpoint: CheckpointRow | null };

export const AUTO_SEAL_ACTOR: Actor = { id: null, label: "system:auto-seal", role: "system", ip: null, userAgent: null };

/** Seals at the current head inside the caller's transaction; no-op if nothing is new. */
export async function sealInTx(tx: ConsoleTx, actor: Actor, trigger: "manual" | "auto", key?: CheckpointKey): Promise<SealResult> {
  await lockAccessLogHead(tx);
  const head = await tx.accessLogHead.findUniqueOrThrow({ where: { id: 1 } });
  const last = await tx.accessLogCheckpoint.findFirst({ orderBy: { id: "desc" } });
  if (head.seq === 0 || (last && last.seq >= head.seq)) return { sealed: false, checkpoint: last };
  const k = key ?? loadCheckpointKey(env().checkpointKeyFile);
  const { seq, hash } = await appendEntry(tx, {
    actor,
    action: "accessLog.seal",
    outcome: "ok",
    target: { type: "checkpoint", ref: String(head.seq + 1) },
    details: { keyId: k.keyId, trigger, previousCheckpointSeq: last?.seq ?? 0 },
  });
  const sealedAt = new Date();
  const root = await treeRoot(tx, seq);
  const signed = { seq, hash, sealedAt, root, keyId: k.keyId, sealedBy: actor.label.replace(/[\r\n]/g, " ") };
  const checkpoint = await tx.accessLogCheckpoint.create({
    data: { ...signed, publicKey: k.publicKeyB64, signature: signCheckpoint(signed, k) },
  });
  queuePublication(checkpoint);
  return { sealed: true, checkpoint };
}

/**
 * The key to seal with. It is created only for the log's first tree head; once a head exists the
 * key file must be there: a missing file means a misconfigured host, or a process running away
 * from the console (a witness recording its run, a restored copy), and starting a new key there
 * would sign heads nobody can check against the published key. Throws CheckpointKeyMissingError
 * naming the file.
 */
function sealingKey(logHasHead: boolean): CheckpointKey {
  const file = env().checkpointKeyFile;
  if (logHasHead && !fs.existsSync(file)) readCheckpointKey(file); // throws, naming the file
  return loadCheckpointKey(file);
}

/** Seals a checkpoint now (CLI `audit:seal`, the "Seal checkpoint now" button, a package whose records the last head does not cover). */
export async function sealCheckpoint(actor: Actor): Promise<SealResult> {
  const hasHead = (await db().accessLogCheckpoint.findFirst({ select: { id: true } })) !== null;
  const key = sealingKey(hasHead); // fail before taking the lock
  const r = await db().$transaction((tx) => sealInTx(tx, actor, "manual", key), { maxWait: 10_000, timeout: 15_000 });
  await flushPublications();
  return r;
}

let lastAutoSealError = 0;

/**
 * Called by appendAccessLog after each append, inside the same transaction (which already holds
 * the write lock): seals when CUSTODIAN_CHECKPOINT_EVERY entries have accumulated since the last
 * checkpoint. If the key file cannot be read (or, for the first head, created), the append still commits (the access
 * log must not stop the console) and the error is reported at most once a minute; the next
 * append tries again.
 */
export async function maybeAutoSeal(tx: ConsoleTx, headSeq: number): Promise<void> {
  const every = env().CUSTODIAN_CHECKPOINT_EVERY;
  if (headSeq < every) return;
  const last = await tx.accessLogCheckpoint.findFirst({ orderBy: { id: "desc" }, select: { seq: true } });
  if (headSeq - (last?.seq ?? 0) < every) return;
  let key: CheckpointKey;
  try {
    key = sealingKey(last !== null);
  } catch (e) {
    if (Date.now() - lastAutoSealError > 60_000) {
      lastAutoSealError = Date.now();
      console.error(`[custodian] access-log auto-seal skipped: ${(e as Error).message}`);
    }
    return;
  }
  await sealInTx(tx, AUTO_SEAL_ACTOR, "auto", key);
}
