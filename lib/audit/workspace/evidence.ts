import crypto from "node:crypto";
import yauzl from "yauzl";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { entryHash, type ChainFields } from "@/lib/audit/chain";
import { loadCheckpointKey, parsePublicKey, rawPublicKey, keyIdOf } from "@/lib/audit/checkpoint-key";
import { checkInclusionProofs, inclusionProofsFor } from "@/lib/audit/person-proofs";
import { getAccessLogHeadSeq } from "@/lib/audit/queries";
import { drawSample, type Sample } from "@/lib/audit/workspace/sample";
import { getTrailScope, iterateRequestTrail } from "@/lib/audit/workspace/trail";
import { zipFiles } from "@/lib/exports/zip";

// Evidence pack: a signed zip an auditor can check offline (audit:check-evidence):
//   sample.json    the sample (seed, N, cut-off, population, requests without personal data)
//   trail.json     every access-log entry of each sampled request's trail (lib/audit/workspace/
//                  trail.ts), with all chain fields; matchedBySubject lists the seqs that are in it
//                  only by a linked subject's pseudonym, not linked to the request
//   proofs.json    inclusion proofs of those entries against the latest signed tree head
//   manifest.json  SHA-256 of each file above
//   signature.json Ed25519 (the checkpoint key) over "custodian-evidence-v1\n<sha256 of manifest.json>"
// The check recomputes each entry's hash from its fields (so the rows are the logged rows),
// verifies each inclusion proof to the signed root, the head's and the pack's signatures.

export const EVIDENCE_VERSION = "custodian-evidence-v1";
const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + "\n", "utf8");

/** The pack of exactly the sample of seed, n and cut-off (the one the auditor drew and saw). */
export async function buildEvidencePack(p: { seed: string; n: number; cutoff: string }, now = new Date()): Promise<{ zip: Buffer; sha256: string; sample: Sample; entries: number }> {
  const sample = await drawSample(p.seed, p.n, p.cutoff);
  // Trails up to the head as the pack starts, read a page at a time; each page is turned into
  // JSON text at once, so only that text and (seq, hash) pairs are held, not the rows.
  const upToSeq = await getAccessLogHeadSeq();
  const chunks: string[] = [];
  const seen = new Map<number, { seq: number; hash: string }>();
  let all = 0;
  for (const [i, r] of sample.requests.entries()) {
    const scope = await getTrailScope(r.id, now);
    const bySubject: number[] = [];
    chunks.push(`${i ? "," : ""}\n  {\n    "requestId": ${JSON.stringify(r.id)},\n    "entries": [`);
    let k = 0;
    if (scope) {
      for await (const page of iterateRequestTrail(scope, { upToSeq })) {
        for (const { match, ...e } of page) {
          chunks.push(`${k++ ? "," : ""}\n      ${JSON.stringify({ ...e, at: e.at.toISOString() })}`);
          seen.set(e.seq, { seq: e.seq, hash: e.hash });
          if (match === "subject") bySubject.push(e.seq);
        }
      }
    }
    all += k;
    chunks.push(`${k ? "\n    " : ""}],\n    "matchedBySubject": ${JSON.stringify(bySubject)}\n  }`);
  }
  const trailJson = Buffer.from(`[${chunks.join("")}${chunks.length ? "\n" : ""}]\n`, "utf8");
  const proofs = await inclusionProofsFor([...seen.values()]);
  const files = { "sample.json": json(sample), "trail.json": trailJson, "proofs.json": json(proofs) };
  const manifest = json({ version: EVIDENCE_VERSION, generatedAt: now.toISOString(), files: Object.entries(files).map(([name, b]) => ({ name, sha256: sha(b) })) });
  const key = loadCheckpointKey(env().checkpointKeyFile);
  const signature = crypto.sign(null, Buffer.from(`${EVIDENCE_VERSION}\n${sha(manifest)}`), key.privateKey).toString("base64");
  const sig = json({ keyId: key.keyId, publicKey: key.publicKeyB64, signature });
  const out = await zipFiles(
    [...Object.entries(files), ["manifest.json", manifest] as const, ["signature.json", sig] as const].map(([name, bytes]) => ({ name, bytes, contentType: "application/json" })),
    now,
  );
  return { ...out, sample, entries: all };
}

export async function readZip(buf: Buffer): Promise<Map<string, Buffer>> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.fromBuffer(buf, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out = new Map<string, Buffer>();
  await new Promise<void>((res, rej) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, async (e, s) => {
        if (e) return rej(e);
        const chunks: Buffer[] = [];
        for await (const c of s!) chunks.push(c as Buffer);
        out.set(entry.fileName, Buffer.concat(chunks));
        zip.readEntry();
      });
    });
    zip.on("end", () => res());
    zip.on("error", rej);
    zip.readEntry();
  });
  return out;
}

export async function checkEvidencePack(buf: Buffer, publicKeyPem?: string) {
  const problems: string[] = [];
  let files: Map<string, Buffer>;
  try {
    files = await readZip(buf);
  } catch (e) {
    return { ok: false, problems: [`not a zip: ${(e as Error).message}`], requests: 0, entries: 0, proofs: null };
  }
  const get = (n: string) => files.get(n) ?? Buffer.alloc(0);
  const manifest = JSON.parse(get("manifest.json").toString() || "{}");
  const sig = JSON.parse(get("signature.json").toString() || "{}");
  let key: crypto.KeyObject | null = null;
  try {
    key = parsePublicKey(publicKeyPem ?? sig.publicKey);
  } catch {
    problems.push("signature: public key invalid");
  }
  if (key) {
    if (publicKeyPem && keyIdOf(rawPublicKey(key)) !== sig.keyId) problems.push("signature: pack signed by another key than the pinned one");
    if (!crypto.verify(null, Buffer.from(`${EVIDENCE_VERSION}\n${sha(get("manifest.json"))}`), key, Buffer.from(String(sig.signature ?? ""), "base64"))) problems.push("signature: pack signature invalid");
  }
  for (const f of manifest.files ?? []) if (sha(get(f.name)) !== f.sha256) problems.push(`${f.name}: SHA-256 differs from the manifest`);
  if (!(manifest.files ?? []).length) problems.push("manifest.json missing or empty");
  const trails = JSON.parse(get("trail.json").toString() || "[]") as { requestId: string; entries: (ChainFields & { hash: string; at: string })[] }[];
  const proofs = JSON.parse(get("proofs.json").toString() || "{}");
  const proven = new Map<number, string>((proofs.entries ?? []).map((e: { seq: number; entryHash: string }) => [e.seq, e.entryHash]));
  let entries = 0;
  for (const t of trails) {
    for (const e of t.entries) {
      entries++;
      if (entryHash({ ...e, at: new Date(e.at) }) !== e.hash) problems.push(`trail entry ${e.seq}: fields do not match its hash`);
      if (proven.has(e.seq) && proven.get(e.seq) !== e.hash) problems.push(`trail entry ${e.seq}: not the entry the proof covers`);
    }
  }
  const p = checkInclusionProofs(proofs, publicKeyPem);
  problems.push(...p.problems);
  return { ok: problems.length === 0, problems, requests: trails.length, entries, proofs: { checked: p.checked, pending: p.pending } };
}
