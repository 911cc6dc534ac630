import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";
import { db } from "@/lib/db";
import { attestationFile, createAttestation, verifyAttestationFile } from "@/lib/retention/attestation";
import { attestationSearchSchema, findAttestations } from "@/lib/retention/queries";

// The auditor's list of signed attestations is paged on the server: with more than the 200 the
// page used to stop at, every attestation can be listed (pages cover all, newest first, no
// repeats) and the oldest one downloaded and verified; filters and bad URL values behave.

const ctx = useTestConsoleDb();
const N = 205;
const ids: string[] = [];

beforeAll(async () => {
  const dpo = await seedStaff("dpo");
  for (let i = 0; i < N; i++) {
    const kind = i % 5 === 0 ? "enforcement" : "audit";
    const a = await createAttestation(dpo.actor, { kind, noticeVersion: "1.1.0", overdue: i % 2 === 0, findings: i });
    ids.push(a.id);
  }
});

const search = (q: Record<string, string>) => attestationSearchSchema.parse(q);

describe("retention attestations list", () => {
  it("pages cover every attestation, newest first, without repeats; the oldest is on the last page and verifies", async () => {
    const seen: { id: string; createdAt: Date }[] = [];
    const first = await findAttestations(search({ pageSize: "100" }));
    expect(first).toMatchObject({ count: N, page: 1, totalPages: Math.ceil(N / 100) });
    for (let p = 1; p <= first.totalPages; p++) seen.push(...(await findAttestations(search({ pageSize: "100", page: String(p) }))).data);
    expect(seen.length).toBe(N);
    expect(new Set(seen.map((s) => s.id))).toEqual(new Set(ids));
    for (let i = 1; i < seen.length; i++) expect(seen[i].createdAt.getTime()).toBeLessThanOrEqual(seen[i - 1].createdAt.getTime());
    const last = await findAttestations(search({ pageSize: "100", page: String(first.totalPages) }));
    expect(last.data.length).toBe(N - 200);
    expect(last.data.map((a) => a.id)).toContain(ids[0]);
    const row = await db().retentionAttestation.findUniqueOrThrow({ where: { id: ids[0] } });
    const pub = fs.readFileSync(path.join(ctx.current.dataDir, "keys", "checkpoint-ed25519.pub"), "utf8");
    expect(verifyAttestationFile(attestationFile(row), pub)).toMatchObject({ ok: true });
  });

  it("filters by kind and overdue; sorts by a column; a page past the end shows the last one", async () => {
    const enf = await findAttestations(search({ kind: "enforcement", pageSize: "100" }));
    expect(enf.count).toBe(Math.ceil(N / 5));
    expect(enf.data.every((a) => a.kind === "enforcement")).toBe(true);
    const over = await findAttestations(search({ overdue: "no", pageSize: "100" }));
    expect(over.count).toBe(Math.floor(N / 2));
    expect(over.data.every((a) => !a.overdue)).toBe(true);
    const byFindings = await findAttestations(search({ sort: "findings", dir: "desc", pageSize: "10" }));
    expect(byFindings.data.map((a) => a.findings)).toEqual([...Array(10)].map((_, i) => N - 1 - i));
    const past = await findAttestations(search({ page: "999", pageSize: "100" }));
    expect(past.page).toBe(past.totalPages);
  });

  it("bad URL values fall back to the defaults instead of failing", () => {
    expect(search({ page: "x", pageSize: "1000", sort: "payload", dir: "up", kind: "delete", overdue: "maybe" })).toEqual({ page: 1, pageSize: 25, sort: "createdAt", dir: "desc", kind: undefined, overdue: undefined });
  });
});
