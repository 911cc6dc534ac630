import { describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { runCli } from "@/lib/cli/testing";
import { seedStaff } from "@/lib/requests/testing";
import { useTestConsoleDb } from "@/lib/test/console-db";
import assign from "@/lib/cli/commands/request-assign";
import close from "@/lib/cli/commands/request-close";
import create from "@/lib/cli/commands/request-create";
import extend from "@/lib/cli/commands/request-extend";
import link from "@/lib/cli/commands/request-link";
import list from "@/lib/cli/commands/request-list";
import show from "@/lib/cli/commands/request-show";
import state from "@/lib/cli/commands/request-state";

// The request register from the command line: the forms' schemas and rules, the same records and
// access-log entries, JSON out, nothing changed on bad input.

useTestConsoleDb();
const today = new Date().toISOString().slice(0, 10);
const entries = (action: string) => db().accessLogEntry.findMany({ where: { action }, orderBy: { seq: "asc" } });
type Req = { id: string; reference: string; state: string; requesterName: string; masked: boolean; assignee: string | null; extendedDueAt: string | null; closedAt: string | null; dueAt: string };

async function newRequest(operator: string, ...extra: string[]) {
  const r = await runCli(create, "--operator", operator, "--type", "access", "--requester-name", "Alice Smith", "--requester-contact", "alice@example.org",
    "--channel", "email", "--identification", "bound_address_reply", "--summary", "Wants a copy", ...extra);
  expect(r.code, JSON.stringify(r.json) + r.stderr).toBe(0);
  return r.json.request as Req;
}

describe("request commands", () => {
  it("request:create registers a request with its reference and due date, logged as request.create by the operator", async () => {
    const support = await seedStaff("support");
    const before = (await entries("request.create")).length;
    const r = await newRequest(support.email, "--received", today);
    expect(r.reference).toMatch(/^[A-Z]+-\d{4}-\d{4,}$/);
    expect(r).toMatchObject({ state: "received", requesterName: "Alice Smith", masked: false });
    expect(r.dueAt > today).toBe(true);
    const log = await entries("request.create");
    expect(log).toHaveLength(before + 1);
    expect(log.at(-1)).toMatchObject({ actorLabel: `cli:${support.email}`, requestId: r.id, outcome: "ok" });
  });

  it("request:create refuses bad input with the form's field errors (exit 2) and creates nothing", async () => {
    const support = await seedStaff("support");
    const n = await db().request.count();
    const future = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const bad = await runCli(create, "--operator", support.email, "--type", "gossip", "--requester-name", "", "--requester-contact", "a@b.c", "--channel", "email", "--identification", "other", "--received", future);
    expect(bad.code).toBe(2);
    expect(bad.json).toMatchObject({ ok: false, code: "invalid" });
    const errors = bad.json.errors as Record<string, string[]>;
    expect(Object.keys(errors).sort()).toEqual(["receivedAt", "requesterName", "type"]);
    expect(errors.receivedAt[0]).toMatch(/future/);
    expect(await db().request.count()).toBe(n);
  });

  it("an operator without the permission is refused before anything happens", async () => {
    const auditor = await seedStaff("auditor");
    const n = await db().request.count();
    const r = await runCli(create, "--operator", auditor.email, "--type", "access");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/lacks the permission requests\.create/);
    expect(await db().request.count()).toBe(n);
  });

  it("assign, move state, extend with a reason and close, each with its entry; bad moves change nothing", async () => {
    const support = await seedStaff("support");
    const dpo = await seedStaff("dpo");
    const r = await newRequest(support.email);
    const a = await runCli(assign, "--operator", support.email, "--request", r.reference, "--assignee", dpo.email);
    expect(a.code).toBe(0);
    expect((a.json.request as Req).assignee).toBe(dpo.displayName);

    const wrong = await runCli(state, "--operator", support.email, "--request", r.reference, "--to", "awaiting_approval");
    expect(wrong).toMatchObject({ code: 1, json: { ok: false, message: 'A request cannot move from "received" to "awaiting_approval".' } });
    const closedViaState = await runCli(state, "--operator", support.email, "--request", r.reference, "--to", "completed");
    expect(closedViaState.code).toBe(2);
    const s = await runCli(state, "--operator", support.email, "--request", r.reference, "--to", "in_progress");
    expect(s.code).toBe(0);
    expect((s.json.request as Req).state).toBe("in_progress");

    const leak = await runCli(extend, "--operator", dpo.email, "--request", r.reference, "--reason", "We need to ask alice@example.org for more time to search");
    expect(leak.code).toBe(2);
    expect(await db().request.findUniqueOrThrow({ where: { id: r.id } })).toMatchObject({ extendedDueAt: null });
    const supportExtends = await runCli(extend, "--operator", support.email, "--request", r.reference, "--reason", "x".repeat(30));
    expect(supportExtends.code).toBe(2); // support lacks requests.extend
    const e = await runCli(extend, "--operator", dpo.email, "--request", r.reference, "--reason", "The request covers two servers and six months of logs to review.");
    expect(e.code, JSON.stringify(e.json)).toBe(0);
    expect((e.json.request as Req).extendedDueAt).not.toBeNull();
    expect((await runCli(extend, "--operator", dpo.email, "--request", r.reference, "--reason", "Asking again for yet more time here.")).code).toBe(1);

    const c = await runCli(close, "--operator", dpo.email, "--request", r.id, "--state", "completed", "--outcome", "Package sent by e-mail.");
    expect(c.code).toBe(0);
    expect((c.json.request as Req).closedAt).not.toBeNull();
    const log = await db().accessLogEntry.findMany({ where: { requestId: r.id }, orderBy: { seq: "asc" } });
    expect(log.map((x) => x.action)).toEqual(["request.create", "request.assign", "request.state.change", "request.extend", "request.close"]);
    expect(new Set(log.map((x) => x.actorLabel))).toEqual(new Set([`cli:${support.email}`, `cli:${dpo.email}`]));
  });

  it("request:list and request:show are masked for an auditor and logged like the pages", async () => {
    const support = await seedStaff("support");
    const auditor = await seedStaff("auditor");
    const r = await newRequest(support.email);
    const l = await runCli(list, "--operator", auditor.email, "--q", r.reference);
    expect(l.code).toBe(0);
    const rows = l.json.requests as Req[];
    expect(rows.map((x) => x.reference)).toEqual([r.reference]);
    expect(rows[0].masked).toBe(true);
    expect(JSON.stringify(l.json)).not.toContain("Alice Smith");
    expect((await entries("request.list")).at(-1)).toMatchObject({ actorLabel: `cli:${auditor.email}` });
    expect((await runCli(list, "--operator", auditor.email, "--state", "nonsense")).code).toBe(2);

    const s = await runCli(show, "--operator", support.email, "--request", r.reference);
    expect(s.code).toBe(0);
    expect(s.json.request).toMatchObject({ reference: r.reference, requesterName: "Alice Smith" });
    expect((s.json.history as { action: string }[]).map((h) => h.action)).toContain("request.create");
    expect((await entries("request.view")).at(-1)).toMatchObject({ requestId: r.id, actorLabel: `cli:${support.email}` });
  });

  it("request:link links an e-mail once (idempotent); a Matrix ID needs the DPO; the subject is listed masked", async () => {
    const support = await seedStaff("support");
    const dpo = await seedStaff("dpo");
    const r = await newRequest(support.email);
    const first = await runCli(link, "--operator", support.email, "--request", r.reference, "--email", "Bob.Jones@Example.com");
    expect(first).toMatchObject({ code: 0, json: { ok: true, message: `Linked to ${r.reference}.` } });
    const again = await runCli(link, "--operator", support.email, "--request", r.reference, "--email", "bob.jones@example.com");
    expect(again.json.message).toBe(`Already linked to ${r.reference}.`);
    const mx = await runCli(link, "--operator", support.email, "--request", r.reference, "--mxid", "@bob:example.com");
    expect(mx).toMatchObject({ code: 1, json: { ok: false, message: expect.stringMatching(/reverse lookup/) } });
    expect((await runCli(link, "--operator", dpo.email, "--request", r.reference, "--mxid", "@bob:example.com")).code).toBe(0);
    const bad = await runCli(link, "--operator", support.email, "--request", r.reference, "--email", "not-an-address");
    expect(bad.code).toBe(2);
    const s = await runCli(show, "--operator", support.email, "--request", r.reference);
    expect((s.json.subjects as { type: string; masked: string }[]).map((x) => x.type).sort()).toEqual(["email", "mxid"]);
    expect(JSON.stringify(s.json.subjects)).not.toContain("bob.jones");
    expect(await db().accessLogEntry.count({ where: { action: "request.subject.link", requestId: r.id } })).toBe(3);
  });
});
