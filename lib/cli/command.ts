import { parseArgs } from "node:util";

// The contract every operator command follows. Each file in lib/cli/commands/ default-exports a
// CliCommand; lib/cli/index.ts finds them by name. Output for scripts is JSON on stdout; human
// messages and errors go to stderr; the exit code says whether it worked (0 ok, 1 failure,
// 2 bad usage).

export type CliOptionSpec = Record<string, { type: "string" | "boolean"; short?: string; description: string; multiple?: boolean }>;

export type CliCommand = {
  name: string;
  summary: string;
  options: CliOptionSpec;
  /** Positional arguments, for --help. */
  positionals?: string;
  run(args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }): Promise<number>;
};

export function defineCommand(c: CliCommand): CliCommand {
  return c;
}

export class UsageError extends Error {}

export function parseCommandArgs(c: CliCommand, argv: string[]) {
  const options = Object.fromEntries(
    // node:util parseArgs rejects keys present with the value undefined, so copy only those set.
    Object.entries(c.options).map(([k, v]) => [
      k,
      { type: v.type, ...(v.short ? { short: v.short } : {}), ...(v.multiple ? { multiple: v.multiple } : {}) },
    ]),
  );
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n",
  );
}

export function commandHelp(c: CliCommand): string {
  const lines = [`npm run cli -- ${c.name}${c.positionals ? " " + c.positionals : ""} [options]`, "", c.summary, ""];
  for (const [k, v] of Object.entries(c.options)) {
    lines.push(`  --${k}${v.type === "string" ? " <value>" : ""}${v.short ? `, -${v.short}` : ""}\n      ${v.description}`);
  }
  return lines.join("\n");
}
