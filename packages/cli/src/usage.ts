/** A command-line mistake: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: pex <command> [options]

commands:
  decode <hex> | --file PATH [--json]
      decode one PEX payload (the bencoded dictionary) and print its peers,
      or the reason it is invalid (exit 1)

options:
  -h, --help   show this text
`;
