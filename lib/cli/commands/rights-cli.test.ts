import { describe, expect, it, vi } from "vitest";
import complaintsCreate from "@/lib/cli/commands/complaints-create";
import complaintsUpdate from "@/lib/cli/commands/complaints-update";
import disclosuresApprove from "@/lib/cli/commands/disclosures-approve";
import disclosuresRecord from "@/lib/cli/commands/disclosures-record";
import rightsRestrict from "@/lib/cli/commands/rights-restrict";
import { db } from "@/lib/db";
import { seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";

// The rights commands, run in-process: JSON out, the same rules as the pages.

useTestConsoleDb();

async function run(cmd: { run: (a: { values: Record<string, string>; positionals: string[] }) => Promise<number> }, values: Record<string, string>, positionals: string[] = []) {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((c) => ((out += String(c)), true));
  try {
    const code = await cmd.run({ values, positionals });
    return { code, json: out ? JSON.parse(out) : null };
  } finally {
    spy.mockRestore();
  }
}

describe("rights and complaints on the command line", () => {
  it("takes in a complaint, links it and escalates it", async () => {
    const support = await seedStaff("support");
    const created = await run(complaintsCreate, { operator: support.email, severity: "normal", summary: "Was sent a validation mail they never asked for.", name: "Dan Roe", contact: "dan@example.net" });
    expect(created.code).toBe(0);
    const ref = created.json.reference as string;
    const linked = await run(complaintsUpdate, { operator: support.email, link: "about", kind: "staff", ref: support.email }, [ref]);
    expect(linked).toMatchObject({ code: 0, json: { ok: true } });
    const bad = await run(complaintsUpdate, { operator: support.email, escalate: "dan@example.net asked for it" }, [ref]);
    expect(bad.code).toBe(1);
    expect((await db().complaint.findFirstOrThrow({ where: { reference: ref } })).state).toBe("open");
    expect((await run(complaintsUpdate, { operator: support.email, escalate: "The person asks for the DPO." }, [ref])).code).toBe(0);
    expect((await db().complaint.findFirstOrThrow({ where: { reference: ref } })).state).toBe("escalated");
  });

  it("records a disclosure; approving needs the approver's authenticator code", async () => {
    const dpo = await seedStaff("dpo");
    const dpo2 = await seedStaff("dpo");
    const rec = await run(disclosuresRecord, {
      operator: dpo.email, recipient: "National CERT", basis: "security_audit", what: "Lookup counts for one address over a week.",
      "subject-kind": "email", subject: "eve@example.org", date: "2026-11-30", told: "told",
    });
    expect(rec).toMatchObject({ code: 0, json: { ok: true, reference: expect.stringMatching(/^DIS-2026-/) } });
    await expect(run(disclosuresApprove, { operator: dpo2.email }, [rec.json.reference])).rejects.toThrow(/--code/);
    expect((await db().disclosure.findFirstOrThrow({ where: { reference: rec.json.reference } })).state).toBe("proposed");
  });

  it("restricts and lifts on one identifier typed in any form", async () => {
    const dpo = await seedStaff("dpo");
    const r = await run(rightsRestrict, { operator: dpo.email, kind: "phone", value: "+44 7700 900123", ground: "legal_claims" });
    expect(r).toMatchObject({ code: 0, json: { ok: true, created: true } });
    expect(await db().restriction.findFirstOrThrow({ where: { id: r.json.id } })).toMatchObject({ type: "msisdn", liftedAt: null });
    expect((await run(rightsRestrict, { operator: dpo.email, lift: r.json.id, reason: "Claim settled; nothing held back." })).code).toBe(0);
    await expect(run(rightsRestrict, { operator: dpo.email, kind: "email", value: "x@example.org", ground: "because" })).rejects.toThrow(/--ground/);
  });
});
