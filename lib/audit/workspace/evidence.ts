import crypto from "node:crypto";
import yauzl from "yauzl";
import { z } from "zod";
import { env } from "@/lib/env";
import { entryHash, type ChainFields } from "@/lib/audit/chain";
import { CheckpointKeyMissingError, parsePublicKey, rawPublicKey, readCheckpointKey } from "@/lib/audit/checkpoint-key";
import { parseJsonFile, shapeProblems } from "@/lib/audit/offline-check";
import { inclusionProofsFor, inspectInclusionProofs, keyIdOfKey, pinnedKeyOf, UNPINNED_WARNING } from "@/lib/audit/person-proofs";
import { getAccessLogHeadSeq } from "@/lib/audit/queries";
import { drawSample, type Sample } from "@/lib/audit/workspace/sample";
import { countRequestTrail, getTrailScope, iterateRequestTrail, type TrailScope } from "@/lib/audit/workspace/trail";
import { zipFiles } from "@/lib/exports/zip";

// Evidence pack: a signed zip an auditor can check offline (audit:check-evidence):
//   sample.json    the sample (seed, N, cut-off, population, requests without personal data)
//   trail.json     every access-log entry of each sampled request's trail (lib/audit/workspace/
//                  trail.ts), with all chain fields; matchedBySubject lists the seqs that are in it
//                  only by a linked subject's pseudonym, not linked to the request
//   proofs.json    inclusion proofs of those entries against the latest signed tree head
//   manifest.json  SHA-256 of each file above
//   signature.json Ed25519 (the checkpoint key) over "custodian-evidence-v1\n<sha256 of manifest.json>"
// The pack is signed with the key that signed its tree head, read from the existing key file:
// building one never creates a key, and refuses when the key is missing or is not the head's.
// The check recomputes each entry's hash from its fields (so the rows are the logged rows),
// verifies each inclusion proof to the signed root, the head's and the pack's signatures, that
// both are by the same key (the pinned one, if given), and that every trail entry is proven or
// is newer than the head. Damaged files are named, never thrown.

export const EVIDENCE_VERSION = "custodian-evidence-v1";
const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
const json = (v: unknown) => Buffer.from(JSON.stringify(v, null, 2) + "\n", "utf8");

const EVIDENCE_HOW_TO_CHECK =
  "Inclusion proofs of the entries in trail.json (matched by seq): leaf = SHA-256(0x00 || bytes of entryHash), folded per RFC 9162 " +
  "section 2.1.3.2 to sth.root (leaf index seq-1); a seq in pending must be greater than sth.size. " +
  "Custodian: npm run cli -- audit:check-evidence --file <pack.zip> --public-key <checkpoint-ed25519.pub>.";

/** Most entries one pack holds (trails of all its requests together). */
export const EVIDENCE_MAX_ENTRIES = 20_000;

/** The pack cannot be built as asked (no key file, no tree head, another key): nothing was signed. */
export class EvidenceError extends Error {}

/** The pack of exactly the sample of seed, n and cut-off (the one the auditor drew and saw). */
export async function buildEvidencePack(p: { seed: string; n: number; cutoff: string }, now = new Date(), maxEntries = EVIDENCE_MAX_ENTRIES): Promise<{ zip: Buffer; sha256: string; sample: Sample; entries: number }> {
  let key;
  try {
    key = readCheckpointKey(env().checkpointKeyFile);
  } catch (e) {
    throw new EvidenceError(`cannot sign the evidence pack: ${e instanceof CheckpointKeyMissingError ? "" : "the checkpoint key could not be read: "}${(e as Error).message}`);
  }
  const sample = await drawSample(p.seed, p.n, p.cutoff);
  // The pack is built in memory with one proof per entry: a sample whose trails are larger (a bulk
  // erasure's request holds one entry per row) is refused before anything is read, naming the size.
  const upToSeq = await getAccessLogHeadSeq();
  const scopes = new Map<string, TrailScope | null>();
  let total = 0;
  for (const r of sample.requests) {
    const scope = await getTrailScope(r.id, now);
    scopes.set(r.id, scope);
    if (scope) total += (await countRequestTrail(scope, upToSeq)).entries;
  }
  if (total > maxEntries) {
    throw new EvidenceError(
      `the ${sample.requests.length} sampled requests' trails hold ${total.toLocaleString("en")} entries, more than the ${maxEntries.toLocaleString("en")} one pack holds: draw a smaller sample (fewer requests), or several packs`,
    );
  }
  // Trails up to the head as the pack starts, read a page at a time; each page is turned into
  // JSON text at once, so only that text and (seq, hash) pairs are held, not the rows.
  const chunks: string[] = [];
  const seen = new Map<number, { seq: number; hash: string }>();
  let all = 0;
  for (const [i, r] of sample.requests.entries()) {
    const scope = scopes.get(r.id) ?? null;
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
    chunks.push(`${k ? "\n    " : ""}],\n    "matchedBySubject": ${JSON.stringify(bySubject)},\n    "subjectPseudonyms": ${JSON.stringify(scope?.pseudonyms ?? [])},\n    "openFrom": ${JSON.stringify(scope?.from.toISOString() ?? null)},\n    "openTo": ${JSON.stringify(scope?.to.toISOString() ?? null)}\n  }`);
  }
  const trailJson = Buffer.from(`[${chunks.join("")}${chunks.length ? "\n" : ""}]\n`, "utf8");
  const proofs = await inclusionProofsFor([...seen.values()], EVIDENCE_HOW_TO_CHECK);
  if (!proofs.sth) throw new EvidenceError("the access log has no signed tree head yet, so nothing in the pack could be proven: seal one first (audit:seal)");
  if (proofs.sth.publicKey !== key.publicKeyB64) {
    throw new EvidenceError(
      `the checkpoint key ${key.file} (keyId ${key.keyId}) is not the key that signed the latest tree head (keyId ${proofs.sth.keyId}): ` +
        "a pack signed with it would not check against the published key. Restore the key file, or seal a new head with this key if it was replaced on purpose",
    );
  }
  const files = { "sample.json": json(sample), "trail.json": trailJson, "proofs.json": json(proofs) };
  const manifest = json({ version: EVIDENCE_VERSION, generatedAt: now.toISOString(), files: Object.entries(files).map(([name, b]) => ({ name, sha256: sha(b) })) });
  const signature = crypto.sign(null, Buffer.from(`${EVIDENCE_VERSION}\n${sha(manifest)}`), key.privateKey).toString("base64");
  const sig = json({ keyId: key.keyId, publicKey: key.publicKeyB64, signature });
  const out = await zipFiles(
    [...Object.entries(files), ["manifest.json", manifest] as const, ["signature.json", sig] as const].map(([name, bytes]) => ({ name, bytes, contentType: "application/json" })),
    now,
  );
  return { ...out, sample, entries: all };
}

/** Every entry of a zip, in order (a name may occur twice in a damaged or forged zip). */
export async function readZipEntries(buf: Buffer): Promise<[string, Buffer][]> {
  const zip = await new Promise<yauzl.ZipFile>((res, rej) => yauzl.fromBuffer(buf, { lazyEntries: true }, (e, z) => (e ? rej(e) : res(z!))));
  const out: [string, Buffer][] = [];
  await new Promise<void>((res, rej) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      zip.openReadStream(entry, async (e, s) => {
        if (e) return rej(e);
        try {
          const chunks: Buffer[] = [];
          for await (const c of s!) chunks.push(c as Buffer);
          out.push([entry.fileName, Buffer.concat(chunks)]);
          zip.readEntry();
        } catch (err) {
          rej(err);
        }
      });
    });
    zip.on("end", () => res());
    zip.on("error", rej);
    zip.readEntry();
  });
  return out;
}

export async function readZip(buf: Buffer): Promise<Map<string, Buffer>> {
  return new Map(await readZipEntries(buf));
}

const HEX64 = z.string().regex(/^[0-9a-f]{64}$/, "not 64 lowercase hex");
const SIGNED = ["sample.json", "trail.json", "proofs.json"] as const;
const ManifestSchema = z.object({
  version: z.literal(EVIDENCE_VERSION),
  generatedAt: z.string(),
  files: z.array(z.object({ name: z.string().min(1), sha256: HEX64 })).min(1, "lists no files"),
});
const SignatureSchema = z.object({ keyId: z.string(), publicKey: z.string(), signature: z.string() });
const SampleSchema = z.object({ seed: z.string(), n: z.int(), population: z.int(), requests: z.array(z.object({ id: z.string() })) });
const TrailSchema = z.array(z.object({
  requestId: z.string(),
  entries: z.array(z.unknown()),
  // Entries in the trail because they are about one of the request's linked subjects (by
  // pseudonym) while it was open, not because they name the request.
  matchedBySubject: z.array(z.int()).default([]),
  subjectPseudonyms: z.array(z.string()).default([]),
  openFrom: z.string().nullable().default(null),
  openTo: z.string().nullable().default(null),
}));
const text = z.string();
const textOrNull = z.string().nullable();
const EntrySchema = z.object({
  seq: z.int().min(1),
  at: z.string().refine((v) => !Number.isNaN(Date.parse(v)), "not a date"),
  actorId: textOrNull, actorLabel: text, actorRole: text, action: text, targetType: textOrNull, targetPseudonym: textOrNull,
  targetRef: textOrNull, requestId: textOrNull, purpose: textOrNull, outcome: text, ip: textOrNull, userAgent: textOrNull,
  details: textOrNull, prevHash: HEX64, hash: HEX64,
});

export type EvidenceCheck = {
  /** No problem found: the pack is intact and consistent (see authenticated for who signed it). */
  ok: boolean;
  keyPinned: boolean;
  /** ok, and signed (pack and tree head) by the pinned key. Only then is the signer known. */
  authenticated: boolean;
  /** Set when the pack could not be checked at all (not a zip, an unusable pinned key). */
  couldNotCheck?: string;
  problems: string[];
  /** Unpinned check: says it proves internal consistency only. */
  warnings: string[];
  /** keyId of the key that signed the pack, when it could be read. */
  keyId: string | null;
  requests: number;
  entries: number;
  proofs: { checked: number; pending: number } | null;
};

export async function checkEvidencePack(buf: Buffer, publicKeyPem?: string | crypto.KeyObject): Promise<EvidenceCheck> {
  const keyPinned = publicKeyPem !== undefined;
  const base = { ok: false, keyPinned, authenticated: false, problems: [] as string[], warnings: [] as string[], keyId: null, requests: 0, entries: 0, proofs: null };
  const pin = pinnedKeyOf(publicKeyPem);
  if (pin.problem) return { ...base, couldNotCheck: pin.problem };
  let zipEntries: [string, Buffer][];
  try {
    zipEntries = await readZipEntries(buf);
  } catch (e) {
    return { ...base, couldNotCheck: `not a zip: ${(e as Error).message}` };
  }
  const problems: string[] = [];
  const problem = (p: string) => void (problems.includes(p) ? undefined : problems.push(p));
  const files = new Map<string, Buffer>();
  for (const [name, bytes] of zipEntries) {
    if (files.has(name)) problem(`${name}: more than once in the zip`);
    else files.set(name, bytes);
  }
  const parsed = (name: string) => {
    const r = parseJsonFile(name, files.get(name));
    if ("problem" in r) {
      problem(r.problem);
      return undefined;
    }
    return r.value;
  };
  const shaped = <T>(name: string, schema: z.ZodType<T>, v: unknown): T | undefined => {
    if (v === undefined) return undefined;
    const r = schema.safeParse(v);
    if (r.success) return r.data;
    shapeProblems(name, r.error).forEach(problem);
    return undefined;
  };

  // manifest.json and signature.json: the signature covers the manifest, the manifest each file.
  const manifestBytes = files.get("manifest.json");
  const manifest = shaped("manifest.json", ManifestSchema, parsed("manifest.json"));
  const sig = shaped("signature.json", SignatureSchema, parsed("signature.json"));
  if (manifest) {
    const listed = new Set<string>();
    for (const f of manifest.files) {
      if (listed.has(f.name)) problem(`manifest.json: lists ${f.name} more than once`);
      listed.add(f.name);
      const bytes = files.get(f.name);
      if (bytes === undefined) problem(`${f.name}: missing`);
      else if (sha(bytes) !== f.sha256) problem(`${f.name}: SHA-256 differs from the manifest`);
    }
    for (const name of SIGNED) if (!listed.has(name)) problem(`manifest.json: does not list ${name}`);
    for (const name of files.keys()) {
      if (!listed.has(name) && name !== "manifest.json" && name !== "signature.json") problem(`${name}: in the pack but not in the manifest (not covered by the signature)`);
    }
  }
  let packKey: crypto.KeyObject | null = null;
  let keyId: string | null = null;
  if (sig) {
    try {
      packKey = parsePublicKey(sig.publicKey);
      keyId = keyIdOfKey(packKey);
    } catch {
      problem("signature.json: publicKey is not an Ed25519 public key");
    }
    if (packKey) {
      if (keyId !== sig.keyId) problem("signature.json: keyId does not match its publicKey");
      if (pin.key && !rawPublicKey(pin.key).equals(rawPublicKey(packKey))) problem(`signature: pack signed by key ${keyId}, not the pinned key ${keyIdOfKey(pin.key)}`);
      const valid = manifestBytes !== undefined && crypto.verify(null, Buffer.from(`${EVIDENCE_VERSION}\n${sha(manifestBytes)}`), packKey, Buffer.from(sig.signature, "base64"));
      if (!valid) problem("signature: pack signature invalid");
    }
  }

  // sample.json and trail.json: each entry's hash recomputed from its fields.
  const sample = shaped("sample.json", SampleSchema, parsed("sample.json"));
  const trails = shaped("trail.json", TrailSchema, parsed("trail.json"));
  const trailHashes = new Map<number, string>();
  let entries = 0;
  for (const t of trails ?? []) {
    t.entries.forEach((raw, i) => {
      entries++;
      const r = EntrySchema.safeParse(raw);
      if (!r.success) return shapeProblems(`trail.json: request ${t.requestId}, entries[${i}]`, r.error).forEach(problem);
      const e = r.data;
      if (entryHash({ ...e, at: new Date(e.at) }) !== e.hash) problem(`trail entry ${e.seq}: fields do not match its hash`);
      const namesRequest = e.requestId === t.requestId || (e.targetType === "request" && e.targetRef === t.requestId);
      if (t.matchedBySubject.includes(e.seq)) {
        // About a linked subject while the request was open: the pseudonym and the time say so.
        const at = Date.parse(e.at);
        const inPeriod = t.openFrom !== null && t.openTo !== null && at >= Date.parse(t.openFrom) && at <= Date.parse(t.openTo);
        if (!e.targetPseudonym || !t.subjectPseudonyms.includes(e.targetPseudonym) || !inPeriod) {
          problem(`trail entry ${e.seq}: listed as matched by subject, but it is not about one of request ${t.requestId}'s subjects while it was open`);
        }
      } else if (!namesRequest) problem(`trail entry ${e.seq}: does not name request ${t.requestId}`);
      const seen = trailHashes.get(e.seq);
      if (seen !== undefined && seen !== e.hash) problem(`trail entry ${e.seq}: appears twice with different contents`);
      trailHashes.set(e.seq, e.hash);
    });
  }
  if (sample && trails) {
    const sampled = new Set(sample.requests.map((r) => r.id));
    const trailed = new Set(trails.map((t) => t.requestId));
    for (const id of sampled) if (!trailed.has(id)) problem(`trail.json: no trail for sampled request ${id}`);
    for (const id of trailed) if (!sampled.has(id)) problem(`trail.json: a trail for request ${id}, which is not in the sample`);
  }

  // proofs.json: the head, its signature (same key as the pack's), and a proof for every entry.
  const proofsJson = parsed("proofs.json");
  let proofs: EvidenceCheck["proofs"] = null;
  if (proofsJson !== undefined) {
    const p = inspectInclusionProofs(proofsJson, pin.key, "proofs.json");
    p.problems.forEach(problem);
    proofs = { checked: p.checked, pending: p.pending };
    if (p.sth && packKey) {
      let headKey: crypto.KeyObject | null = null;
      try {
        headKey = parsePublicKey(p.sth.publicKey);
      } catch {
        // sthSignatureProblem has named it
      }
      if (headKey && !rawPublicKey(headKey).equals(rawPublicKey(packKey))) problem(`signature: pack signed by key ${keyId}, but its tree head by key ${p.sth.keyId}`);
    }
    // Without a usable head nothing is proven: that one problem is named, not one per entry.
    for (const [seq, hash] of p.sth ? trailHashes : []) {
      if (p.proven.has(seq)) {
        if (p.proven.get(seq) !== hash) problem(`trail entry ${seq}: not the entry the proof covers`);
      } else if (!p.pendingSeqs.has(seq)) {
        problem(`trail entry ${seq}: no inclusion proof, and not listed as pending`);
      } // pending but covered by the head: inspectInclusionProofs names it
    }
  }

  const ok = problems.length === 0;
  const warnings = keyPinned ? [] : [UNPINNED_WARNING.replace("the file is", "the pack is")];
  return { ok, keyPinned, authenticated: ok && keyPinned, problems, warnings, keyId, requests: trails?.length ?? 0, entries, proofs };
}
