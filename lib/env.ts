import path from "node:path";
import { isSupportedCountry } from "libphonenumber-js";
import { z } from "zod";
import { parseTargets } from "@/lib/complaints/catalogue";
import { parseTimeZone, parseWorkingDays, parseWorkingHours, parseWorkingTime, WORKING_TIME_DEFAULTS, type WorkingTime } from "@/lib/audit/workspace/working-time";

// Configuration is read once, validated here, and imported as `env()` everywhere else.
// A wrong or missing variable stops start-up with a message naming it (see instrumentation.ts).

const boolish = z
  .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
  .transform((v) => v === "true" || v === "1" || v === "yes");

/** A string checked by one of the parsers above (their error names the variable and the fix). */
const parsedBy = (parse: (v: string) => unknown, fallback: string) =>
  z.string().default(fallback).superRefine((v, ctx) => {
    try {
      parse(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: (e as Error).message.replace(/^[A-Z_]+: /, "") });
    }
  });

const envSchema = z.object({
  CONSOLE_DATABASE_URL: z
    .string()
    .default("file:./data/console.db")
    .refine((v) => /^(file:|postgres(ql)?:\/\/)/.test(v), {
      message: 'expected "file:<path to SQLite file>" or "postgresql://user:pass@host:port/db"',
    }),
  NEXTAUTH_SECRET: z
    .string({ message: "required: a random string of at least 32 characters (openssl rand -hex 32)" })
    .min(32, "expected at least 32 characters (openssl rand -hex 32)"),
  NEXTAUTH_URL: z.url("expected the console's public URL, e.g. http://127.0.0.1:3100").default("http://127.0.0.1:3100"),
  CUSTODIAN_MASTER_KEY: z
    .string({ message: "required: 64 hex characters (openssl rand -hex 32); never change it once set" })
    .regex(/^[0-9a-fA-F]{64}$/, "expected 64 hex characters (openssl rand -hex 32)"),
  CUSTODIAN_DATA_DIR: z.string().min(1).default("./data"),
  CUSTODIAN_CHECKPOINT_KEY_FILE: z.string().min(1).optional(),
  CUSTODIAN_CHECKPOINT_EVERY: z.coerce
    .number({ message: "expected a whole number of entries" })
    .int()
    .min(1)
    .max(1_000_000)
    .default(500),
  /** Witnessed log: every sealed tree head is also written here (an append-only, off-host directory). */
  CUSTODIAN_STH_PUBLISH_DIR: z.string().min(1).optional(),
  /** Auditor's workspace: hours of no witness run or head fetch recorded before "witnesses silent" is flagged. */
  CUSTODIAN_WITNESS_MAX_AGE_HOURS: z.coerce
    .number({ message: "expected a number of hours" })
    .positive("expected a positive number of hours")
    .max(24 * 366, "at most 8784 hours (a year)")
    .default(24),
  /** Auditor's workspace: working time for "reveals outside working hours" and the days "many people in a day" counts in. */
  CUSTODIAN_WORKING_TIMEZONE: parsedBy(parseTimeZone, WORKING_TIME_DEFAULTS.timeZone),
  CUSTODIAN_WORKING_HOURS: parsedBy(parseWorkingHours, WORKING_TIME_DEFAULTS.hours),
  CUSTODIAN_WORKING_DAYS: parsedBy(parseWorkingDays, WORKING_TIME_DEFAULTS.days),
  /**
   * Colon-separated directories that server log paths and globs must stay inside (default /var/log
   * and the demo's folder, $CUSTODIAN_DATA_DIR/demo, where demo:generate writes its logs; not the
   * whole data directory, which holds the console's own files: lib/logs/roots.ts).
   */
  CUSTODIAN_LOG_ROOTS: z.string().min(1).optional(),
  CUSTODIAN_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(30, "at most 30 minutes").default(30),
  CUSTODIAN_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(12, "at most 12 hours").default(12),
  CUSTODIAN_TRUST_PROXY: boolish.default(false),
  CUSTODIAN_SYDENT_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(5000).default(2000),
  /** How long an approved access/portability package's download link stays valid. */
  CUSTODIAN_EXPORT_LINK_DAYS: z.coerce.number({ message: "expected a whole number of days" }).int().min(1).max(30, "at most 30 days").default(7),
  /** Erasure phase 2 deadline after phase 1 (days; the privacy notice promises at most 30). */
  CUSTODIAN_ERASURE_PHASE2_DAYS: z.coerce.number({ message: "expected a whole number of days" }).int().min(1).max(30, "at most 30 days").default(30),
  /** Log copies mentioning an erased person: "expire" (left to expire, date on the receipt) or "scrub". */
  /** Country assumed for phone numbers typed in national form (ISO 3166-1 alpha-2, e.g. GB, SE, US). */
  CUSTODIAN_DEFAULT_COUNTRY: z
    .string()
    .default("GB")
    .transform((v) => v.trim().toUpperCase())
    .refine((v) => isSupportedCountry(v), { message: "expected a two-letter country code with a phone numbering plan, e.g. GB, SE, US" }),
  CUSTODIAN_ERASURE_LOGS: z.enum(["expire", "scrub"], { message: 'expected "expire" or "scrub"' }).default("expire"),
  // Complaint targets per severity, e.g. "high=12h/10d,critical=2h/5d" (lib/complaints/catalogue.ts).
  CUSTODIAN_COMPLAINT_TARGETS: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      try {
        parseTargets(v);
      } catch (e) {
        ctx.addIssue({ code: "custom", message: (e as Error).message });
      }
    }),
  /** Abuse blocks: HAProxy's admin socket ("stats socket ... level admin"); unset = blocks cannot be applied. */
  CUSTODIAN_HAPROXY_SOCKET: z
    .string()
    .min(1)
    .max(97, "is longer than 97 characters: HAProxy 2.6 refuses a 'stats socket' path that long (a Unix socket path is limited); use a shorter path such as /run/haproxy/admin.sock")
    .optional(),
  /** Abuse blocks: directory of the block-list files HAProxy loads (default $CUSTODIAN_DATA_DIR/haproxy). */
  CUSTODIAN_HAPROXY_BLOCK_DIR: z.string().min(1).optional(),
  /** Abuse blocks: health-check and other sources never to block (comma-separated IPs/CIDRs; loopback always). */
  CUSTODIAN_BLOCKS_PROTECTED_SOURCES: z.string().default(""),
  /** Abuse blocks: homeservers never to block (comma-separated server names). */
  CUSTODIAN_BLOCKS_PROTECTED_HOMESERVERS: z.string().default(""),
});

export type Env = z.infer<typeof envSchema> & {
  checkpointKeyFile: string;
  haproxyBlockDir: string;
  /** Absolute log roots (CUSTODIAN_LOG_ROOTS). */
  logRoots: string[];
  consoleDbKind: "sqlite" | "postgresql";
  /** CUSTODIAN_WORKING_TIMEZONE / _HOURS / _DAYS, parsed. */
  workingTime: WorkingTime;
};

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Custodian configuration error:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = result.data;
  return {
    ...e,
    checkpointKeyFile: e.CUSTODIAN_CHECKPOINT_KEY_FILE ?? path.join(e.CUSTODIAN_DATA_DIR, "keys", "checkpoint-ed25519.pem"),
    haproxyBlockDir: e.CUSTODIAN_HAPROXY_BLOCK_DIR ?? path.join(e.CUSTODIAN_DATA_DIR, "haproxy"),
    logRoots: (e.CUSTODIAN_LOG_ROOTS ?? `/var/log:${path.join(e.CUSTODIAN_DATA_DIR, "demo")}`).split(":").filter(Boolean).map((r) => path.resolve(r)),
    consoleDbKind: e.CONSOLE_DATABASE_URL.startsWith("file:") ? "sqlite" : "postgresql",
    workingTime: parseWorkingTime({ timeZone: e.CUSTODIAN_WORKING_TIMEZONE, hours: e.CUSTODIAN_WORKING_HOURS, days: e.CUSTODIAN_WORKING_DAYS }),
  };
}

let cached: Env | undefined;

/** The validated configuration; throws ConfigError naming every bad variable. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests that change process.env between cases. */
export function resetEnvCache(): void {
  cached = undefined;
}
