import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { totpCode } from "@/lib/auth/totp";

export default defineCommand({
  name: "demo:code",
  summary: "Print the current TOTP code for a demo account's secret (for trying the demo without an app).",
  positionals: "<base32 secret>",
  options: {},
  async run({ positionals }) {
    const secret = positionals[0];
    if (!secret || !/^[A-Z2-7]+=*$/i.test(secret)) throw new UsageError("Give the base32 TOTP secret printed by the demo.");
    const now = Date.now();
    printJson({ code: totpCode(secret.toUpperCase(), new Date(now)), validForSeconds: 30 - Math.floor(now / 1000) % 30 });
    return 0;
  },
});
