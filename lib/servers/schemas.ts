import path from "node:path";
import { z } from "zod";
import { logPathRefusal } from "@/lib/logs/files";
import { apiUrlSchema } from "@/lib/servers/api-urls";

// Input schemas for registering and changing identity servers. Messages for people live here.

const filePath = (what: string) =>
  z
    .string()
    .trim()
    .min(1, `Enter the ${what}.`)
    .max(1024, "At most 1024 characters.")
    .refine((v) => !v.includes("\0"), "Paths cannot contain NUL characters.")
    .transform((v) => path.resolve(v));

/** Log paths: one per line in forms, repeated options on the command line. Globs allowed. */
const pathList = (what: string) =>
  z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v) => (Array.isArray(v) ? v : (v ?? "").split(/\r?\n/)).map((s) => s.trim()).filter(Boolean))
    .pipe(
      z
        .array(
          // Inside the log roots, and never one of the console's own files (lib/logs/roots.ts).
          filePath(what).superRefine((p, ctx) => {
            const refused = logPathRefusal(p);
            if (refused) ctx.addIssue({ code: "custom", message: refused });
          }),
        )
        .max(50, "At most 50 paths."),
    )
    .transform((list) => [...new Set(list)]);

export const registerServerSchema = z.object({
  label: z
    .string()
    .trim()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "Use 1-32 lower-case letters, digits, '-' or '_' (e.g. is1)."),
  serverName: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9.-]+(:[0-9]{1,5})?$/, "Enter Sydent's server.name (a host name such as is1.example.org)."),
  dbPath: filePath("path of Sydent's SQLite file"),
  sydentLogPaths: pathList("Sydent log path"),
  haproxyLogPaths: pathList("HAProxy log path"),
  /** Sydent's client API (verification through its own lookups); optional. */
  clientApiUrl: apiUrlSchema("client API URL"),
  /** Sydent's internal API (unbinds on its own connection); loopback or private address only. */
  internalApiUrl: apiUrlSchema("internal API URL"),
});
export type RegisterServerInput = z.infer<typeof registerServerSchema>;

export const updateServerSchema = registerServerSchema.omit({ label: true, serverName: true }).extend({
  id: z.string().trim().min(1, "Missing server id.").max(64),
});
export type UpdateServerInput = z.infer<typeof updateServerSchema>;

export const serverIdSchema = z.object({ id: z.string().trim().min(1, "Missing server id.").max(64) });

export const sydentModeSchema = z.object({
  id: z.string().trim().min(1, "Missing server id.").max(64),
  mode: z.enum(["live", "stopped"], { message: "Choose live (Sydent serves the file) or stopped (Sydent is stopped)." }),
  note: z.string().trim().min(3, "Say why (e.g. the maintenance window or the restored backup).").max(300, "At most 300 characters."),
});
export type SydentModeInput = z.infer<typeof sydentModeSchema>;

export type FieldErrors = Record<string, string[]>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) (out[String(issue.path[0] ?? "form")] ??= []).push(issue.message);
  return out;
}
