import { z } from "zod";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { codeOption, resolveVerifiedOperator } from "@/lib/cli/operator";
import { createBootstrapAdmin } from "@/lib/staff/bootstrap";
import { StaffRuleError } from "@/lib/staff/manage-staff";

// Bootstrap: prints the new admin's generated password, TOTP secret and recovery codes as JSON.
// This is the one place secrets are printed; they are not stored anywhere in plain text.

const argsSchema = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("--email must be an e-mail address")),
  name: z.string().trim().min(1, "--name is required").max(120),
});

export default defineCommand({
  name: "staff:create-admin",
  summary: "Create an enrolled admin account (the first one, or another with --operator).",
  options: {
    email: { type: "string", description: "the new admin's e-mail address (their sign-in name)" },
    name: { type: "string", description: "display name" },
    operator: { type: "string", description: "an existing admin's e-mail; required once an active admin exists" },
    ...codeOption,
  },
  async run({ values }) {
    const parsed = argsSchema.safeParse({ email: values.email ?? "", name: values.name ?? "" });
    if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join("; "));
    // Adding an admin on behalf of an existing one needs that admin's current authenticator code.
    const operator = typeof values.operator === "string" ? await resolveVerifiedOperator(values.operator, values.code, "staff.manage", "staff:create-admin") : null;
    try {
      const admin = await createBootstrapAdmin({ email: parsed.data.email, displayName: parsed.data.name }, operator);
      printJson(admin);
      console.error("Store the password, TOTP secret and recovery codes now: they are not shown again.");
      return 0;
    } catch (e) {
      if (e instanceof StaffRuleError) {
        console.error(e.message);
        return 1;
      }
      throw e;
    }
  },
});
