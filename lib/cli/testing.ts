import { vi } from "vitest";
import type { CliCommand } from "@/lib/cli/command";
import { runCommand } from "@/lib/cli/run";

// Tests only: runs a command in-process exactly as lib/cli/index.ts would (same parsing and exit
// codes) and returns its exit code, its JSON output and what it wrote to stderr.

export async function runCli(command: CliCommand, ...argv: string[]): Promise<{ code: number; json: Record<string, unknown> & { ok?: boolean }; stderr: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void (err += a.join(" ") + "\n"));
  try {
    const code = await runCommand(command, argv);
    return { code, json: out.trim() ? JSON.parse(out) : {}, stderr: err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
