import { expect, test } from "@playwright/test";
import { TOTP } from "otpauth";
import { credential, signIn } from "../fixtures/auth";

// Sign-in through the real form with the second factor, the generic refusal, and sign-out.
// Uses its own account ("login") so the role sessions of auth.setup.ts stay untouched.

test("[AUTH]: a wrong code is refused without saying which part was wrong", async ({ page }) => {
  const c = credential("login");
  const other = new TOTP({ secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", digits: 6, period: 30 }).generate();
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(c.email);
  await page.getByLabel("Password").fill(c.password);
  await page.getByLabel("Authentication code").fill(other);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Incorrect e-mail, password or authentication code.")).toBeVisible();
  await expect(page).toHaveURL(/\/login/);

  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("Incorrect e-mail, password or authentication code.")).toBeVisible();
});

test("[AUTH]: password and TOTP sign in; sign-out ends the session on the server", async ({ page }) => {
  const c = await signIn(page, "login");
  await expect(page.getByRole("navigation", { name: "Main" })).toContainText(c.displayName);
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/login/);
});

test("[AUTH]: anonymous visitors are sent to the sign-in page", async ({ page }) => {
  const response = await page.goto("/access-log");
  await expect(page).toHaveURL(/\/login/);
  expect(response?.status()).toBe(200);
  const api = await page.request.get("/api/access-log/export");
  expect(api.status()).toBe(401);
});
