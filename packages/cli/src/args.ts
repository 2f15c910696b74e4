import { UsageError } from './usage.js';

/**
 * Reads an integer option given on the command line.
 * @throws {UsageError} shaped `"--nodes" expected an integer in 2..200, got "x"`.
 */
export function readIntegerOption(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const number = /^[0-9]+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(number) || number < min || number > max) {
    throw new UsageError(
      `"--${name}" expected an integer in ${min}..${max}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

/**
 * Reads a duration in seconds (decimals allowed) and returns milliseconds.
 * @throws {UsageError} when it is not a number in `minSeconds..maxSeconds`.
 */
export function readSecondsOption(
  name: string,
  value: string | undefined,
  fallbackSeconds: number,
  minSeconds: number,
  maxSeconds: number,
): number {
  if (value === undefined) return fallbackSeconds * 1000;
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : Number.NaN;
  if (!(seconds >= minSeconds && seconds <= maxSeconds)) {
    throw new UsageError(
      `"--${name}" expected seconds in ${minSeconds}..${maxSeconds}, got ${JSON.stringify(value)}`,
    );
  }
  return Math.round(seconds * 1000);
}

/** A host and port from `HOST:PORT` or `[IPv6]:PORT`. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `HOST:PORT`, `IPv4:PORT` or `[IPv6]:PORT`.
 * @throws {UsageError} naming the input when it has no host or no port in 1..65535.
 */
export function readHostPort(value: string | undefined): HostPort {
  if (value === undefined) throw new UsageError('probe expects HOST:PORT');
  const match =
    /^\[([0-9a-fA-F:.]+)\]:([0-9]{1,5})$/.exec(value) ?? /^([^:[\]]+):([0-9]{1,5})$/.exec(value);
  const port = match === null ? Number.NaN : Number(match[2]);
  if (match === null || !(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `"HOST:PORT" expected a host and a port in 1..65535 (IPv6 as [::1]:6881), got ${JSON.stringify(value)}`,
    );
  }
  return { host: match[1] as string, port };
}

/**
 * Reads a v1 info hash: 40 hex digits, returned in lower case.
 * @throws {UsageError} when missing or malformed.
 */
export function readInfoHash(value: string | undefined): string {
  if (value === undefined) throw new UsageError('probe expects --info-hash HEX (40 hex digits)');
  if (!/^[0-9a-fA-F]{40}$/.test(value)) {
    throw new UsageError(
      `"--info-hash" expected 40 hex digits, got ${JSON.stringify(value.slice(0, 60))}`,
    );
  }
  return value.toLowerCase();
}
