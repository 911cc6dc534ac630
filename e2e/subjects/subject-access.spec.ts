import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { statePath } from "../fixtures/roles";
import { approvalCode, type E2eRole } from "../fixtures/auth";

// The whole subject-access flow of issue 3, in order: a support agent finds a person by a phone
// number typed the way people type it and sees masked results but cannot reveal without a
// request; a DPO registers the request, links the person to it (no reveal needed: they typed the
// number) and then reveals for it (a reveal for a request needs the person linked to it); the DPO
// generates the package, a second DPO approves it, the link's page (GET) uses nothing up and its
// button (POST) downloads once, then refuses; the access log shows every step. The tests share
// one request, so they run in order.

type Subject = { key: string; mxid: string | null; threepids: { medium: string; address: string; state: string }[] };
const truth: { subjects: Subject[] } = JSON.parse(fs.readFileSync(path.resolve("lib/test/fixtures/sydent-real/truth.json"), "utf8"));
// A bound UK number, typed as a person would: national form with a leading 0 and a space.
const person = truth.subjects.find((s) => s.threepids.some((t) => t.medium === "msisdn" && t.state === "bound" && t.address.startsWith("447")))!;
const msisdn = person.threepids.find((t) => t.medium === "msisdn" && t.address.startsWith("447"))!.address; // e.g. 447700900123
const typed = `0${msisdn.slice(2, 6)} ${msisdn.slice(6)}`; // e.g. "07700 900123"
const masked = `+44 •••• ••• ${msisdn.slice(-3)}`;

const shared: { requestId?: string; reference?: string; downloadUrl?: string } = {};

async function as(browser: Browser, role: E2eRole): Promise<Page> {
  const ctx = await browser.newContext({ storageState: statePath(role) });
  return ctx.newPage();
}

async function search(page: Page, kind: "phone" | "mxid", value: string) {
  await page.goto("/subjects");
  await page.getByLabel("Search by").selectOption(kind);
  await page.getByLabel("Identifier").fill(value);
  await page.getByRole("button", { name: "Search", exact: true }).click();
}

test.describe.configure({ mode: "serial" });

test("[SUBJECTS]: support finds a person by a typed phone number, masked, and cannot reveal without a request", async ({ browser }) => {
  const page = await as(browser, "support");
  await search(page, "phone", typed);
  await expect(page.getByRole("status").filter({ hasText: "Search complete" })).toBeVisible({ timeout: 30_000 });
  expect(page.url()).not.toContain(msisdn.slice(-6));
  const summary = page.getByRole("region", { name: /Phone number/ });
  await expect(summary.getByText("Masked", { exact: true })).toBeVisible();
  await expect(page.getByText(masked).first()).toBeVisible();
  expect(await page.content()).not.toContain(msisdn);
  if (person.mxid) expect(await page.content()).not.toContain(person.mxid);

  // No request chosen (or none open): refused, nothing revealed.
  await page.getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(page.getByText(/Choose the open request or complaint this reveal is for/).first()).toBeVisible();
  await expect(summary.getByText("Masked", { exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(msisdn);

  // A reverse lookup (Matrix ID) is for the DPO only.
  await search(page, "mxid", person.mxid ?? "@someone:example.org");
  await expect(page.getByText(/only a data protection officer may do it/).first()).toBeVisible();
  await page.context().close();
});

test("[SUBJECTS]: a DPO registers the request, links the person and then reveals for it", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto("/requests/new");
  await page.getByLabel("Type of request").selectOption("access");
  await page.getByLabel("Requester's name").fill("Subject Access E2E");
  await page.getByLabel("Contact (e-mail, phone or postal address)").fill("sar-e2e@example.org");
  await page.getByLabel("How the requester was identified").selectOption("bound_address_reply");
  await page.getByLabel("Received on").fill(new Date().toISOString().slice(0, 10));
  await page.getByLabel("Summary").fill("Wants a copy of everything held about their phone number.");
  await page.getByRole("button", { name: "Register request" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(/REQ-\d{4}-\d{4}/);
  shared.requestId = page.url().split("/").pop();
  shared.reference = (await page.getByRole("heading", { level: 1 }).locator(".mono").textContent())!.trim();

  await search(page, "phone", typed);
  await expect(page.getByRole("status").filter({ hasText: "Search complete" })).toBeVisible({ timeout: 30_000 });
  const summary = page.getByRole("region", { name: /Phone number/ });
  // Not linked yet: the open request alone does not unlock this person.
  await page.getByLabel("Request to reveal for").selectOption(shared.requestId!);
  await page.getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(page.getByText(/This person is not linked to that request/).first()).toBeVisible({ timeout: 30_000 });
  await expect(summary.getByText("Masked", { exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(msisdn);

  // Linking needs no reveal; then the reveal for that request goes through.
  await expect(page.getByLabel("Request to link to")).toHaveValue(shared.requestId!);
  await page.getByRole("button", { name: "Link to request" }).click();
  await expect(page.getByText(`Linked to ${shared.reference}.`)).toBeVisible();
  await page.getByRole("button", { name: "Reveal", exact: true }).click();
  await expect(summary.getByText("Revealed", { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(summary.getByText(msisdn).first()).toBeVisible();
  expect(page.url()).not.toContain(msisdn);

  await page.goto(`/requests/${shared.requestId}`);
  const subjects = page.getByRole("region", { name: "Subjects" });
  await expect(subjects.getByText(masked)).toBeVisible();
  // The refused reveal (not linked yet) and the one that went through are both on the timeline.
  const reveals = page.locator("ol.timeline li").filter({ has: page.getByText("Subject revealed", { exact: true }) });
  await expect(reveals).toHaveCount(2);
  await expect(reveals.first().getByText("denied")).toBeVisible();
  await expect(reveals.last().getByText("denied")).toHaveCount(0);
  await expect(page.locator("ol.timeline").getByText("Subject linked", { exact: true })).toBeVisible();
  await page.context().close();
});

test("[SUBJECTS]: the DPO generates the package, a second DPO approves, the link works once", async ({ browser }) => {
  const dpo = await as(browser, "dpo");
  await dpo.goto(`/requests/${shared.requestId}`);
  const packages = dpo.getByRole("region", { name: "Packages" });
  await packages.getByLabel("Kind of package").selectOption("access");
  await packages.getByRole("button", { name: "Generate package" }).click();
  await packages.getByRole("link", { name: "Review the package" }).click({ timeout: 60_000 });
  await expect(dpo).toHaveURL(/\/requests\/[a-z0-9]+\/packages\/[a-z0-9]+$/);
  const packageUrl = dpo.url();
  // Whoever generated it cannot approve it (separation of duties).
  await expect(dpo.getByText("You generated this package, so you cannot approve it")).toBeVisible();
  await expect(dpo.getByRole("button", { name: /^Approve/ })).toHaveCount(0);
  await dpo.context().close();

  const dpo2 = await as(browser, "dpo2");
  await dpo2.goto(packageUrl);
  // Approving needs a fresh authenticator code: without one, refused and nothing is created.
  await dpo2.getByRole("button", { name: "Approve and create the download link" }).click();
  await expect(dpo2.getByText(/approvals need a fresh code/)).toBeVisible();
  await expect(dpo2.getByLabel(/One-time download link/)).toHaveCount(0);
  await dpo2.getByLabel("Authenticator code").fill(await approvalCode("dpo2"));
  await dpo2.getByRole("button", { name: "Approve and create the download link" }).click();
  const link = dpo2.getByLabel(/One-time download link/);
  await expect(link).toHaveValue(/\/api\/exports\/download\/[A-Za-z0-9_-]{16,}$/);
  shared.downloadUrl = await link.inputValue();
  await dpo2.context().close();

  // The link is the credential: no session needed. Fetching it (as a mail scanner would) only
  // shows a page with a button and no personal data; the button downloads, exactly once.
  const anon = await browser.newContext();
  for (let i = 0; i < 2; i++) {
    const prefetch = await anon.request.get(shared.downloadUrl!);
    expect(prefetch.status()).toBe(200);
    expect(prefetch.headers()["cache-control"]).toBe("no-store");
    const html = await prefetch.text();
    expect(html).toContain("Download the package");
    expect(html).not.toContain(msisdn);
    expect(html).not.toContain(shared.reference!);
  }
  const page = await anon.newPage();
  await page.goto(shared.downloadUrl!);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download the package" }).click()]);
  expect(fs.readFileSync((await download.path())!).subarray(0, 2).toString()).toBe("PK");
  const second = await anon.request.post(shared.downloadUrl!);
  expect(second.status()).toBe(410);
  await page.goto(shared.downloadUrl!);
  await expect(page.getByText(/already been used/)).toBeVisible();
  await expect(page.getByRole("button", { name: "Download the package" })).toHaveCount(0);
  await anon.close();
});

test("[SUBJECTS]: the access log shows every step", async ({ browser }) => {
  const page = await as(browser, "auditor");
  await page.goto(`/access-log?requestId=${shared.requestId}&pageSize=100`);
  const table = page.getByRole("table", { name: "Access log entries" });
  for (const action of ["request.create", "subject.reveal", "request.subject.link", "export.generate", "export.approve", "export.download"]) {
    await expect(table.getByText(action, { exact: true }).first(), action).toBeVisible();
  }
  const html = await page.content();
  expect(html).not.toContain(msisdn);
  if (person.mxid) expect(html).not.toContain(person.mxid);

  // The support agent's search and refused reveal (not tied to a request) are there too.
  await page.goto("/access-log?actor=support%40e2e.test&action=subject.&pageSize=100");
  await expect(table.getByText("subject.search", { exact: true }).first()).toBeVisible();
  const denied = table.locator("tbody tr").filter({ hasText: "subject.reveal" }).filter({ hasText: "denied" });
  await expect(denied.first()).toBeVisible();
  await page.context().close();
});
