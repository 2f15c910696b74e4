/** Where a command writes: injectable so tests capture output without spawning processes. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
}

/** The process's own stdout/stderr. */
export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
