import path from "node:path";
import { defineCommand, printJson, UsageError } from "@/lib/cli/command";
import { generateDemo } from "@/lib/demo/generate-demo";
import { env } from "@/lib/env";

// demo:generate — two replicating Sydent databases, their logs and the HAProxy log, the
// demo subjects, and (unless --no-staff) demo staff + server registrations in the console DB.

const HOUR = 3_600_000;

function positiveInt(name: string, v: unknown, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} must be a whole number from 1 to ${max}`);
  return n;
}

export default defineCommand({
  name: "demo:generate",
  summary: "Generate the demo: Sydent DBs (is1/is2), Sydent + HAProxy logs, demo subjects, demo staff and servers.",
  options: {
    out: { type: "string", description: "Output directory (default $CUSTODIAN_DATA_DIR/demo)" },
    bindings: { type: "string", description: "Number of 3PID bindings across both servers (default 2000; 1000000 works)" },
    seed: { type: "string", description: "PRNG seed; same seed + bindings + reference time = same data (default custodian-demo)" },
    "reference-time": { type: "string", description: "ISO time the data ends at (default: now, rounded down to the hour)" },
    "log-days": { type: "string", description: "Days of daily log files (default 210)" },
    "no-staff": { type: "boolean", description: "Do not touch the console database (no staff, no server registrations)" },
  },
  async run({ values }) {
    const staff = !values["no-staff"];
    const dataDir = staff ? env().CUSTODIAN_DATA_DIR : (process.env.CUSTODIAN_DATA_DIR ?? "./data");
    const ref = values["reference-time"] === undefined ? new Date(Math.floor(Date.now() / HOUR) * HOUR) : new Date(String(values["reference-time"]));
    if (Number.isNaN(ref.getTime())) throw new UsageError("--reference-time must be an ISO date/time, e.g. 2026-11-27T12:00:00Z");
    const bindings = positiveInt("bindings", values.bindings, 2000, 50_000_000);
    const summary = await generateDemo({
      outDir: typeof values.out === "string" ? values.out : path.join(dataDir, "demo"),
      bindings,
      seed: typeof values.seed === "string" ? values.seed : "custodian-demo",
      referenceTime: ref,
      logDays: positiveInt("log-days", values["log-days"], 210, 3650),
      staff,
      onProgress: (m) => process.stderr.write(`${m}\n`),
    });
    printJson(summary);
    if (summary.signIns) {
      process.stderr.write("\nDemo sign-ins (password, then a TOTP code from the secret):\n");
      for (const s of summary.signIns) process.stderr.write(`  ${s.role.padEnd(8)} ${s.email.padEnd(24)} ${s.password}  TOTP ${s.totpSecret}\n`);
    }
    return 0;
  },
});
