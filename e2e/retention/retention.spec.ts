import fs from "node:fs";
import path from "node:path";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { dateLogCopies } from "@/lib/logs/test-helpers";
import { verifyAttestationFile } from "@/lib/retention/attestation";
import { e2ePath, statePath } from "../fixtures/roles";
import { approvalCode, type E2eRole } from "../fixtures/auth";

// Log retention end to end (issue 10), judged as of the fixture's reference time
// (CUSTODIAN_RETENTION_NOW): the DPO audits and sees the HAProxy log's overdue copies on the
// chart, runs a dry run listing the two expired rotated files, asks for enforcement; a second DPO
// approves; the finding disappears; the auditor downloads the signed attestation, which verifies
// offline with the checkpoint public key. The HAProxy log copy is restored afterwards. Then an
// admin records a privacy-notice version (refused first for a bad limit), cannot approve their own
// proposal and withdraws it (approval by a second admin: lib/retention/notices.test.ts, CLI tests).

const FIXTURE = path.resolve("lib/test/fixtures/sydent-real");
const COPY = e2ePath("fixture", "haproxy");
const SOURCE = "/retention/haproxy%3Ahaproxy";

async function as(browser: Browser, role: E2eRole): Promise<Page> {
  const ctx = await browser.newContext({ storageState: statePath(role) });
  return ctx.newPage();
}

test.describe.configure({ mode: "serial" });

test.afterAll(() => {
  fs.rmSync(COPY, { recursive: true, force: true });
  fs.cpSync(path.join(FIXTURE, "haproxy"), COPY, { recursive: true });
  dateLogCopies(path.dirname(COPY));
});

test("[RETENTION]: the DPO sees overdue HAProxy copies on the chart, dry-runs and asks for enforcement", async ({ browser }) => {
  const page = await as(browser, "dpo");
  await page.goto("/retention");
  await page.getByRole("button", { name: "Run an audit now" }).click();
  await expect(page.getByRole("status")).toContainText("Audit done");
  await page.goto(SOURCE);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Retention of haproxy:haproxy");
  const chart = page.getByTestId("age-chart-haproxy");
  await expect(chart).toHaveAttribute("data-overdue", "true");
  await expect(chart.getByRole("img")).toHaveAttribute("aria-label", /limit 60 day\(s\), \d+ line\(s\) past the limit/);
  await expect(page.getByTestId("findings").locator("li").first()).toContainText("overdue");
  await expect(page.getByTestId("findings")).toContainText("130 day(s)");

  await page.getByRole("button", { name: "Dry run", exact: true }).click();
  const plan = page.getByTestId("dry-run-plan");
  await expect(plan).toBeVisible();
  await expect(plan.locator("tbody tr")).toHaveCount(2);
  await expect(plan).toContainText("haproxy.log.190.synthetic-aged.gz");
  await expect(plan).toContainText("haproxy.log.62.synthetic-aged.gz");
  expect(fs.existsSync(path.join(COPY, "haproxy.log.190.synthetic-aged.gz"))).toBe(true);

  await page.getByRole("button", { name: "Ask for enforcement" }).click();
  // The Enforce section's own message (the files table below has a status line too).
  await expect(page.getByRole("region", { name: "Enforce" }).getByRole("status").last()).toContainText("second person");
  expect(fs.existsSync(path.join(COPY, "haproxy.log.190.synthetic-aged.gz"))).toBe(true);
  await page.goto("/retention");
  await expect(page.getByTestId("pending-haproxy:haproxy")).toContainText("You asked for it");
});

test("[RETENTION]: a second DPO approves; the overdue finding disappears", async ({ browser }) => {
  const page = await as(browser, "dpo2");
  await page.goto("/retention");
  const pending = page.getByTestId("pending-haproxy:haproxy");
  // The approver sees the files, not only counts.
  await expect(page.getByTestId("pending-plan-haproxy:haproxy")).toContainText("haproxy.log.190.synthetic-aged.gz");
  // Without a fresh authenticator code nothing happens.
  await pending.getByRole("button", { name: "Approve and enforce" }).click();
  await expect(pending.getByRole("alert")).toContainText("fresh code");
  expect(fs.existsSync(path.join(COPY, "haproxy.log.190.synthetic-aged.gz"))).toBe(true);
  await pending.getByLabel("Authenticator code").fill(await approvalCode("dpo2"));
  await pending.getByRole("button", { name: "Approve and enforce" }).click();
  await expect(page).toHaveURL(/\/retention\/haproxy%3Ahaproxy\?enforced=/);
  await expect(page.getByTestId("enforced")).toContainText("2 file(s) deleted, 0 rewritten");
  expect(fs.existsSync(path.join(COPY, "haproxy.log.190.synthetic-aged.gz"))).toBe(false);
  expect(fs.existsSync(path.join(COPY, "haproxy.log.62.synthetic-aged.gz"))).toBe(false);
  expect(fs.existsSync(path.join(COPY, "haproxy.log"))).toBe(true);
  await expect(page.getByTestId("no-findings")).toBeVisible();
  await expect(page.getByTestId("age-chart-haproxy")).toHaveAttribute("data-overdue", "false");
});

test("[RETENTION]: the auditor downloads the enforcement attestation; it verifies offline", async ({ browser }) => {
  const page = await as(browser, "auditor");
  await page.goto("/retention/attestations");
  const link = page.getByRole("link", { name: /^Download enforcement attestation/ }).first();
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const file = e2ePath("retention-attestation.json");
  await download.saveAs(file);
  const text = fs.readFileSync(file, "utf8");
  const pub = fs.readFileSync(e2ePath("keys", "checkpoint-ed25519.pub"), "utf8");
  const r = verifyAttestationFile(text, pub);
  expect(r.problems).toEqual([]);
  expect(r.payload).toMatchObject({ kind: "enforcement", source: "haproxy:haproxy", overdue: false });
  const tampered = JSON.parse(text);
  tampered.payload = tampered.payload.replace('"status":"deleted"', '"status":"skipped"');
  expect(verifyAttestationFile(JSON.stringify(tampered), pub).ok).toBe(false);
});

test("[RETENTION]: an admin records a new privacy-notice version with the keyboard; bad input is refused; the proposer cannot approve it and withdraws it", async ({ browser }) => {
  const page = await as(browser, "admin");
  await page.goto("/retention");
  await page.getByRole("link", { name: "Privacy-notice versions" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Privacy-notice versions");
  const builtIn = page.getByTestId("notice-1.1.0");
  await expect(builtIn).toContainText("approved");
  await expect(builtIn).toContainText("(in force)");
  await expect(builtIn).toContainText("52dba89b5676f139eee900aba73ebbef078919b979e273c7ba8afcf2d658973a");

  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Version", { exact: true }).fill("1.2.0");
  await page.getByLabel("Takes effect on (YYYY-MM-DD)").fill(yesterday);
  await expect(page.getByLabel("lookup: at most (days)")).toHaveValue("7");
  await page.getByLabel("haproxy: at most (days)").fill("0");
  await page.getByLabel("What changed, and why").fill("HAProxy logs kept 90 days for abuse investigations");
  await page.getByRole("button", { name: "Propose this version" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert").filter({ hasText: "Nothing was changed" })).toBeVisible();
  await expect(page.getByLabel("haproxy: at most (days)")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("The limit for haproxy must be a whole number of days from 1 to 3650.")).toBeVisible();
  await expect(page.getByLabel("Version", { exact: true })).toHaveValue("1.2.0");
  await expect(page.getByTestId("notice-1.2.0")).toHaveCount(0);

  await page.getByLabel("haproxy: at most (days)").fill("90");
  await page.getByLabel("haproxy: at most (days)").press("Enter");
  await expect(page.getByRole("status").filter({ hasText: "Privacy notice 1.2.0 is proposed" })).toBeVisible();
  await expect(page.getByTestId("notice-1.2.0")).toContainText("proposed");
  await expect(page.getByTestId("notice-1.2.0")).toContainText("waiting for a second administrator");
  const proposed = page.getByTestId("proposed-1.2.0");
  await expect(proposed).toContainText("You proposed it: another administrator approves it.");
  await expect(proposed.getByRole("button", { name: "Approve 1.2.0" })).toHaveCount(0);

  await proposed.getByLabel("Why it is withdrawn").fill("entered to try the form, withdrawn");
  await proposed.getByLabel("Why it is withdrawn").press("Enter");
  // Decided: the proposal's forms are gone, the table says who withdrew it and why.
  await expect(page.getByTestId("proposed-1.2.0")).toHaveCount(0);
  await expect(page.getByTestId("notice-1.2.0")).toContainText("rejected by Ada Admin");
  await page.reload();
  await expect(page.getByTestId("notice-1.2.0")).toContainText("rejected");
  await expect(page.getByTestId("notice-1.1.0")).toContainText("(in force)");

  const dpo = await as(browser, "dpo");
  await dpo.goto("/retention/notices");
  await expect(dpo.getByTestId("notice-1.2.0")).toContainText("rejected");
  await expect(dpo.getByRole("button", { name: "Propose this version" })).toHaveCount(0);
});
