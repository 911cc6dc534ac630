import { commandHelp, parseCommandArgs, UsageError, type CliCommand } from "@/lib/cli/command";
import { ConfigError } from "@/lib/env";

/** Parses and runs one command; maps errors to exit codes (2 bad usage, 78 configuration, 1 failure). */
export async function runCommand(command: CliCommand, argv: string[]): Promise<number> {
  try {
    const args = parseCommandArgs(command, argv);
    return await command.run(args as never);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${e.message}\n\n${commandHelp(command)}`);
      return 2;
    }
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 78;
    }
    console.error(`Error: ${(e as Error).message}`);
    return 1;
  }
}
