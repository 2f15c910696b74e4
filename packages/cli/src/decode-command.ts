import { readFile } from 'node:fs/promises';
import { decodePexMessage, isPexDecodeError } from '@pex/core';
import { messageToJson, messageToLines } from './format-message.js';
import { type CommandIo, readProcessStdin } from './io.js';
import { UsageError } from './usage.js';

/**
 * `pex decode <hex> | --file PATH|- [--json]`: decodes one PEX payload (the bencoded dictionary,
 * without the extended-message id) and prints it, or the `PexDecodeError` reason. `--file -`
 * reads standard input. Returns the exit code: 0 decoded, 1 refused payload.
 */
export async function runDecode(
  args: { positionals: string[]; file?: string | undefined; json: boolean },
  io: CommandIo,
): Promise<number> {
  const bytes = await readPayload(args, io);
  try {
    const message = decodePexMessage(bytes);
    if (args.json) io.out(JSON.stringify(messageToJson(message)));
    else for (const line of messageToLines(message)) io.out(line);
    return 0;
  } catch (error) {
    if (!isPexDecodeError(error)) throw error;
    const hint = extendedIdHint(bytes);
    if (args.json) {
      io.out(
        JSON.stringify({
          error: error.name,
          reason: error.reason,
          field: error.field ?? null,
          offset: error.offset,
          message: error.message,
          ...(hint === undefined ? {} : { hint }),
        }),
      );
    } else {
      // The message already names the reason, the field and the offset.
      io.err(`invalid PEX payload: ${error.message}`);
      if (hint !== undefined) io.err(`hint: ${hint}`);
    }
    return 1;
  }
}

/** `d`, the byte that opens a bencoded dictionary. */
const D = 0x64;

/**
 * A hint for a payload pasted with the BEP 10 extended-message id byte in front of the
 * dictionary (e.g. `01 64 ...`: id 1, then `d`), which is not part of the PEX payload.
 */
function extendedIdHint(bytes: Uint8Array): string | undefined {
  const [first, second] = bytes;
  if (first === undefined || first === D || second !== D) return undefined;
  const id = `0x${first.toString(16).padStart(2, '0')}`;
  return `looks like it starts with an extended-message id byte (${id}); pass the bencoded dictionary only, from the "d" at offset 1`;
}

async function readPayload(
  args: { positionals: string[]; file?: string | undefined },
  io: CommandIo,
): Promise<Uint8Array> {
  if (args.file !== undefined) {
    if (args.positionals.length > 0)
      throw new UsageError('give either a hex payload or --file, not both');
    if (args.file === '-') return await (io.readStdin ?? readProcessStdin)();
    return new Uint8Array(await readFile(args.file));
  }
  if (args.positionals.length !== 1)
    throw new UsageError('decode expects one hex payload or --file PATH (--file - for stdin)');
  const hex = (args.positionals[0] as string).replace(/\s+/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new UsageError(
      `"payload" expected hex digits in pairs, got ${JSON.stringify(hex.slice(0, 40))}`,
    );
  }
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}
