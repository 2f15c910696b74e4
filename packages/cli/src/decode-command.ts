import { readFile } from 'node:fs/promises';
import { decodePexMessage, isPexDecodeError } from '@pex/core';
import { messageToJson, messageToLines } from './format-message.js';
import type { CommandIo } from './io.js';
import { UsageError } from './usage.js';

/**
 * `pex decode <hex> | --file PATH [--json]`: decodes one PEX payload (the bencoded dictionary,
 * without the extended-message id) and prints it, or the `PexDecodeError` reason.
 * Returns the exit code: 0 decoded, 1 refused payload.
 */
export async function runDecode(
  args: { positionals: string[]; file?: string | undefined; json: boolean },
  io: CommandIo,
): Promise<number> {
  const bytes = await readPayload(args);
  try {
    const message = decodePexMessage(bytes);
    if (args.json) io.out(JSON.stringify(messageToJson(message)));
    else for (const line of messageToLines(message)) io.out(line);
    return 0;
  } catch (error) {
    if (!isPexDecodeError(error)) throw error;
    if (args.json) {
      io.out(
        JSON.stringify({
          error: error.name,
          reason: error.reason,
          field: error.field ?? null,
          offset: error.offset,
          message: error.message,
        }),
      );
    } else {
      // The message already names the reason, the field and the offset.
      io.err(`invalid PEX payload: ${error.message}`);
    }
    return 1;
  }
}

async function readPayload(args: {
  positionals: string[];
  file?: string | undefined;
}): Promise<Uint8Array> {
  if (args.file !== undefined) {
    if (args.positionals.length > 0)
      throw new UsageError('give either a hex payload or --file, not both');
    return new Uint8Array(await readFile(args.file));
  }
  if (args.positionals.length !== 1)
    throw new UsageError('decode expects one hex payload or --file PATH');
  const hex = (args.positionals[0] as string).replace(/\s+/g, '');
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new UsageError(
      `"payload" expected hex digits in pairs, got ${JSON.stringify(hex.slice(0, 40))}`,
    );
  }
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}
