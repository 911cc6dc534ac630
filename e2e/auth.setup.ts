import { test as setup } from "@playwright/test";
import { signIn, type E2eRole } from "./fixtures/auth";
import { statePath } from "./fixtures/roles";

// Signs each role in once through the real form (password + TOTP) and keeps the session cookie
// for the specs, so TOTP codes are never replayed within their 30-second window.
const ROLES: E2eRole[] = ["admin", "dpo", "dpo2", "support", "auditor"];

for (const role of ROLES) {
  setup(`[AUTH]: sign in as ${role}`, async ({ page }) => {
    await signIn(page, role);
    await page.context().storageState({ path: statePath(role) });
  });
}
