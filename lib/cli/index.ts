// npm run cli -- <command> [options]: one entry point for operators' scripts and cron.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { commandHelp, type CliCommand } from "@/lib/cli/command";
import { runCommand } from "@/lib/cli/run";

if (fs.existsSync(".env")) process.loadEnvFile(".env"); // variables already set win

const here = path.dirname(fileURLToPath(import.meta.url));

async function loadCommands(): Promise<Map<string, CliCommand>> {
  const dir = path.join(here, "commands");
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"));
  const commands = new Map<string, CliCommand>();
  for (const f of files.sort()) {
    const mod = (await import(path.join(dir, f))) as { default: CliCommand };
    commands.set(mod.default.name, mod.default);
  }
  return commands;
}

/**
 * The one module a named command lives in (commands/<name with ":" as "-">.ts): loading only it
 * keeps a cron job's start-up to what that command imports. Null when no file is named so or the
 * file holds another command (then every command is loaded and looked up by name).
 */
async function loadOne(name: string): Promise<CliCommand | null> {
  if (!/^[a-z0-9:-]+$/.test(name)) return null;
  const file = path.join(here, "commands", `${name.replace(/:/g, "-")}.ts`);
  if (!fs.existsSync(file)) return null;
  const mod = (await import(file)) as { default?: CliCommand };
  return mod.default?.name === name ? mod.default : null;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const one = name ? await loadOne(name) : null;
  const commands = one ? new Map([[one.name, one]]) : await loadCommands();
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const width = Math.max(...[...commands.keys()].map((k) => k.length));
    console.log("Custodian operator commands: npm run cli -- <command> [options]\n");
    for (const c of [...commands.values()].sort((a, b) => a.name.localeCompare(b.name))) {
      console.log(`  ${c.name.padEnd(width)}  ${c.summary}`);
    }
    console.log("\nnpm run cli -- <command> --help for a command's options.");
    return 0;
  }
  const command = commands.get(name);
  if (!command) {
    console.error(`Unknown command "${name}". npm run cli -- --help lists them.`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(commandHelp(command));
    return 0;
  }
  return runCommand(command, rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
