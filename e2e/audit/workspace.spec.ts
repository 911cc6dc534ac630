import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { readZip } from "@/lib/audit/workspace/evidence";
import { e2eEnv } from "../../playwright.config";
import { statePath } from "../fixtures/roles";

// The auditor's workspace: draw a seeded sample (its cut-off fixed in the URL), download it as
// CSV, open a request's trail (paged) and its CSV, download the signed evidence pack of that very
// sample, and check it offline with the command line (pinned to the console's public key).

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "lib/cli/index.ts", ...args], { encoding: "utf8", env: { ...process.env, ...e2eEnv } });

test.describe("[AUDIT]: the auditor's workspace", () => {
  test("[AUDIT]: a request exists and a tree head is sealed", async ({ browser }) => {
    const ctx = await browser.newContext({ storageState: statePath("dpo") });
    const page = await ctx.newPage();
    await page.goto("/requests/new");
    await page.getByLabel("Type of request").selectOption("access");
    await page.getByLabel("Requester's name").fill("Sam Sampled");
    await page.getByLabel("Contact (e-mail, phone or postal address)").fill("sam@example.org");
    await page.getByLabel("How the requester was identified").selectOption("bound_address_reply");
    await page.getByLabel("Received on").fill(new Date().toISOString().slice(0, 10));
    await page.getByLabel("Summary").fill("What do you hold about me?");
    await page.getByRole("button", { name: "Register request" }).click();
    await expect(page).toHaveURL(/\/requests\/(?!new$)[a-z0-9]+$/);
    await ctx.close();
    const sealed = cli("audit:seal", "--operator", "dpo@e2e.test");
    expect(sealed.status, sealed.stderr).toBe(0);
  });

  test.describe("as the auditor", () => {
    test.use({ storageState: statePath("auditor") });

    test("[AUDIT]: sample, open a trail, download an evidence pack the CLI verifies", async ({ page }, info) => {
      await page.goto("/audit");
      await page.getByLabel("Seed").fill("e2e-seed");
      await page.getByRole("spinbutton", { name: "Requests" }).fill("3");
      await page.getByRole("button", { name: "Draw sample" }).click();
      // Drawing fixes the cut-off (now) in the URL, so reloads, the CSV and the pack use the same sample.
      await expect(page).toHaveURL(/seed=e2e-seed&n=3&cutoff=\d{4}-\d{2}-\d{2}T/);
      const sampleUrl = page.url();
      const table = page.getByRole("table", { name: "Sampled requests" });
      await expect(table).toBeVisible();
      const first = table.locator("tbody tr").first().getByRole("link");
      const reference = (await first.textContent())!.trim();

      const [sampleCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download the sample as CSV" }).click()]);
      const sampleFile = info.outputPath("sample.csv");
      await sampleCsv.saveAs(sampleFile);
      expect(fs.readFileSync(sampleFile, "utf8").split("\r\n")[0]).toBe("seed,n,cutoff,reference,requestId,type,state,receivedAt,closedAt");
      expect(fs.readFileSync(sampleFile, "utf8")).toContain(reference);

      await first.click();
      await expect(page.getByRole("heading", { level: 1 })).toContainText(reference);
      const trail = page.getByRole("table", { name: "Request trail" });
      await expect(trail.locator("tbody tr").first()).toBeVisible();
      await expect(trail).toContainText("request.create");
      await expect(page.getByRole("navigation", { name: "Request trail: pages" })).toBeVisible();
      const [trailCsv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export the whole trail as CSV" }).click()]);
      const trailFile = info.outputPath("trail.csv");
      await trailCsv.saveAs(trailFile);
      expect(fs.readFileSync(trailFile, "utf8")).toContain("request.create");

      await page.getByRole("link", { name: "← Audit workspace" }).click();
      await page.goto(sampleUrl);
      await expect(page.getByRole("table", { name: "Sampled requests" }).locator("tbody tr").first().getByRole("link")).toHaveText(reference);
      const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Download evidence pack" }).click()]);
      const file = info.outputPath("evidence.zip");
      await download.saveAs(file);
      const pub = path.join(e2eEnv.CUSTODIAN_DATA_DIR, "keys", "checkpoint-ed25519.pub");
      expect(fs.existsSync(pub)).toBe(true);
      const r = cli("audit:check-evidence", "--file", file, "--public-key", pub);
      expect(r.status, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ ok: true, keyPinned: true });
      expect(out.requests).toBeGreaterThanOrEqual(1);
      expect(out.proofs.checked).toBeGreaterThanOrEqual(1);

      // The pack is the sample on screen: same seed, size and cut-off, the same first request.
      const inPack = JSON.parse((await readZip(fs.readFileSync(file))).get("sample.json")!.toString());
      expect(inPack).toMatchObject({ seed: "e2e-seed", n: 3, cutoff: new URL(sampleUrl).searchParams.get("cutoff") });
      expect(inPack.requests[0].reference).toBe(reference);

      // The sample itself was recorded in the access log.
      await page.goto("/access-log?action=audit.sample");
      await expect(page.getByRole("table", { name: "Access log entries" }).locator("tbody tr").first()).toContainText("audit.sample");
    });
  });
});
