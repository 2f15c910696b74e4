/** Where a command writes: injectable so tests capture output without spawning processes. */
export interface CommandIo {
  /** Writes one line of normal output (without its newline). */
  out(line: string): void;
  /** Writes one line of error output (without its newline). */
  err(line: string): void;
  /**
   * A progress line that replaces the previous one where the output is a terminal.
   * Optional: commands fall back to `out`.
   */
  status?(line: string): void;
  /**
   * Reads standard input to its end (`pex decode --file -`).
   * Optional: commands fall back to the process's stdin.
   */
  readStdin?(): Promise<Uint8Array>;
}

/** Reads the process's stdin to its end. */
export async function readProcessStdin(): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  }
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * The process's own stdout/stderr; progress lines are redrawn in place on a terminal. Each call
 * makes a new one: whether a progress line is on screen is the object's state, not the module's.
 */
export function createProcessIo(): CommandIo {
  // A progress line is on screen without its newline: the next output first clears it.
  let statusShown = false;
  const clearStatus = () => {
    if (statusShown) {
      process.stdout.write('\r\x1b[2K');
      statusShown = false;
    }
  };
  return {
    out: (line) => {
      clearStatus();
      process.stdout.write(`${line}\n`);
    },
    err: (line) => {
      clearStatus();
      process.stderr.write(`${line}\n`);
    },
    status: (line) => {
      if (process.stdout.isTTY) {
        process.stdout.write(`\r\x1b[2K${line.slice(0, Math.max(20, process.stdout.columns - 1))}`);
        statusShown = true;
      } else {
        process.stdout.write(`${line}\n`);
      }
    },
    readStdin: readProcessStdin,
  };
}
