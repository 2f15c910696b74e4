import { parseArgs } from 'node:util';
import { runDecode } from './decode-command.js';
import { runDemo } from './demo-command.js';
import { type CommandIo, createProcessIo } from './io.js';
import { runProbe } from './probe-command.js';
import { runSimulate } from './simulate-command.js';
import {
  COMMAND_USAGE,
  type CommandName,
  GENERAL_USAGE,
  HELP_POINTER,
  USAGE,
  UsageError,
} from './usage.js';
import { readCliVersion } from './version.js';

/**
 * Runs the `pex` command with `argv` (without node and script) and returns the exit code:
 * 0 success, 1 the operation failed, 2 usage error; `probe` has its own codes 3..6 (see usage).
 * A usage error prints the message and the synopsis line of its command, not the whole text.
 */
export async function main(
  argv: readonly string[],
  io: CommandIo = createProcessIo(),
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.out(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-V') {
      io.out(readCliVersion());
      return 0;
    }
    if (rest.includes('-h') || rest.includes('--help')) {
      io.out(USAGE);
      return 0;
    }
    switch (command) {
      case 'decode': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { file: { type: 'string' }, json: { type: 'boolean', default: false } },
        });
        return await runDecode({ positionals, file: values.file, json: values.json }, io);
      }
      case 'demo':
        return await runDemo(rest, io);
      case 'probe':
        return await runProbe(rest, io);
      case 'simulate':
        return await runSimulate(rest, io);
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`pex: ${(error as Error).message}`);
      io.err(isCommandName(command) ? COMMAND_USAGE[command] : GENERAL_USAGE);
      io.err(HELP_POINTER);
      return 2;
    }
    io.err(`pex: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function isCommandName(command: string | undefined): command is CommandName {
  return (
    command === 'demo' || command === 'probe' || command === 'decode' || command === 'simulate'
  );
}

function isParseArgsError(error: unknown): boolean {
  // Checked by code, not instanceof: the error may come from another realm (vm contexts).
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    String(error.code).startsWith('ERR_PARSE_ARGS')
  );
}
