import type { AddressFamily } from '@pex/core';
import { peerKeyAddress } from '@pex/core/internal';
import ipaddr from 'ipaddr.js';
import { describeAddress } from './received-address.js';

/**
 * A peer as callers write it: `"1.2.3.4:6881"`, `"[2001:db8::1]:6881"` or
 * `{ address: '1.2.3.4', port: 6881 }` (an IPv6 `address` without brackets).
 */
export type PeerAddressInput =
  | string
  | {
      /** IP address text (`1.2.3.4`, `2001:db8::1`), without brackets. */
      readonly address: string;
      /** The port, 0..65535. */
      readonly port: number;
    };

/**
 * A peer address as the session reports and judges it: canonical text, port and family. The
 * payload of `dropped`, the base of the `peer` and `refused` payloads, and the remote and our own
 * addresses in `PexPolicyContext`.
 */
export interface PeerAddress {
  /**
   * `1.2.3.4` or the RFC 5952 form of an IPv6 address (`2001:db8::1`), without brackets;
   * IPv4-mapped IPv6 is given as IPv4.
   */
  readonly address: string;
  /** The port, 0..65535 (the peer policy refuses 0). */
  readonly port: number;
  /** 4 or 6. */
  readonly family: AddressFamily;
}

/** A checked peer address: canonical text, port, family and the address bytes (4 or 16). */
export interface PexPeerAddress extends PeerAddress {
  /** 4 bytes for IPv4, 16 for IPv6; a new array owned by the caller. */
  readonly bytes: Uint8Array;
}

/** A port as text: decimal digits, no sign, no leading zero (`0` alone is read, then refused). */
const PORT_PATTERN = /^(0|[1-9][0-9]{0,5})$/;
// An unbracketed host may not contain ':' (that would be an IPv6 address without brackets,
// where the port cannot be told apart from the last group).
const IPV4_ENDPOINT_PATTERN = /^([^:[\]]+):([^:]*)$/;
const IPV6_ENDPOINT_PATTERN = /^\[([^[\]]+)\]:([^:]*)$/;

/**
 * Parses a peer address. IPv4-mapped IPv6 addresses (`[::ffff:1.2.3.4]:6881`) become IPv4.
 * Only dotted four-part decimal IPv4 is accepted (`127.1` and `0x7f.0.0.1` are refused: they
 * read differently in different parsers).
 * @throws {TypeError} naming the input for a hostname, a zone id (`%eth0`), an unbracketed
 *   IPv6 address in a string, a port that is not a number or is written with a leading zero or
 *   a sign, or anything else malformed.
 * @throws {RangeError} for a port outside 1..65535 (or not an integer).
 */
export function parsePeerAddress(input: PeerAddressInput): PexPeerAddress {
  if (typeof input === 'string') return parseEndpointString(input);
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(
      `"peer" expected "ip:port" or { address, port }, got ${describeInput(input)}`,
    );
  }
  const { address, port } = input as { address?: unknown; port?: unknown };
  if (typeof address !== 'string') {
    throw new TypeError(
      `"peer.address" expected an IP address string, got ${describeInput(address)}`,
    );
  }
  if (typeof port !== 'number') {
    throw new TypeError(
      `"peer.port" expected a number, got ${describeInput(port)} (address ${JSON.stringify(address)})`,
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(
      `"peer.port" expected an integer 1..65535, got ${describeInput(port)} (address ${JSON.stringify(address)})`,
    );
  }
  return parseHost(address, address, address.includes(':') ? 6 : 4, port);
}

/**
 * Parses a bare IP address (`1.2.3.4`, `2001:db8::1`, no port, no brackets) into its
 * canonical text, family and bytes. IPv4-mapped IPv6 becomes IPv4.
 * @throws {TypeError} naming the input for anything that is not a plain IP address.
 */
export function parseIpAddress(input: string): Omit<PexPeerAddress, 'port'> {
  if (typeof input !== 'string') {
    throw new TypeError(`"address" expected an IP address string, got ${describeInput(input)}`);
  }
  const { address, family, bytes } = parseHost(input, input, input.includes(':') ? 6 : 4, 0);
  return { address, family, bytes };
}

/**
 * Formats a peer as `1.2.3.4:6881` or `[2001:db8::1]:6881` (the `address` is used as given,
 * so pass a canonical one, e.g. from `parsePeerAddress` or an event).
 * Does not validate.
 * @throws {TypeError} only from JavaScript itself, if `peer.address` is not a string.
 */
export function stringifyPeerAddress(peer: {
  readonly address: string;
  readonly port: number;
}): string {
  return peer.address.includes(':')
    ? `[${peer.address}]:${peer.port}`
    : `${peer.address}:${peer.port}`;
}

/**
 * Reads address bytes from the wire (4 or 16) into canonical text. IPv4-mapped IPv6
 * (`::ffff:a.b.c.d`) becomes IPv4, so that the same host reads the same whichever list it
 * came in. Does not check the port (0 is possible on the wire; the policy refuses it).
 * @throws {TypeError} if `bytes` is not 4 or 16 bytes long.
 */
export function readPeerAddress(bytes: Uint8Array, port: number): PexPeerAddress {
  if (bytes.length !== 4 && bytes.length !== 16) {
    throw new TypeError(`"bytes" expected 4 or 16 bytes, got ${bytes.length}`);
  }
  if (!(bytes instanceof Uint8Array)) {
    // An array of numbers: ipaddr.js checks that each one is a byte.
    return { ...toPeerAddress(ipaddr.fromByteArray(Array.from(bytes))), port };
  }
  const { address, family } = describeAddress(bytes);
  // A plain Uint8Array copy (a Buffer's `slice` would share memory): the last 4 bytes of a
  // mapped address, otherwise all of them.
  const start = family === 4 ? bytes.length - 4 : 0;
  const copy = new Uint8Array(bytes.length - start);
  for (let i = 0; i < copy.length; i++) copy[i] = bytes[start + i] as number;
  return { address, family, bytes: copy, port };
}

function parseEndpointString(input: string): PexPeerAddress {
  const bracketed = IPV6_ENDPOINT_PATTERN.exec(input);
  const plain = bracketed === null ? IPV4_ENDPOINT_PATTERN.exec(input) : null;
  const match = bracketed ?? plain;
  if (match === null) {
    throw new TypeError(
      `"peer" expected "1.2.3.4:6881" or "[2001:db8::1]:6881", got ${describeInput(input)}`,
    );
  }
  const host = match[1] as string;
  const portText = match[2] as string;
  if (!PORT_PATTERN.test(portText)) {
    throw new TypeError(
      `"port" expected decimal digits without a leading zero, got ${JSON.stringify(portText)} in ${describeInput(input)}`,
    );
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) {
    throw new RangeError(
      `"port" expected 1..65535, got ${JSON.stringify(portText)} in ${describeInput(input)}`,
    );
  }
  return parseHost(host, input, bracketed === null ? 4 : 6, port);
}

/** `family` is what the syntax promised: brackets or a ':' mean IPv6. */
function parseHost(
  host: string,
  input: string,
  family: AddressFamily,
  port: number,
): PexPeerAddress {
  if (host.includes('%')) {
    // A zone id only means something on the host that wrote it; another peer cannot use it.
    throw new TypeError(
      `"address" expected an IP address without a zone id, got ${describeInput(input)}`,
    );
  }
  if (family === 4) {
    const ip = parseFourPartDecimal(host);
    if (ip < 0) {
      throw new TypeError(
        `"address" expected an IPv4 or IPv6 address (not a hostname), got ${describeInput(input)}`,
      );
    }
    // Four decimal parts without leading zeros are already the canonical text; the bytes are
    // those of the peer key of this address (with port 0).
    return { address: host, family: 4, bytes: peerKeyAddress(ip * 0x10000), port };
  }
  if (!ipaddr.IPv6.isValid(host)) {
    throw new TypeError(`"address" expected an IPv6 address, got ${describeInput(input)}`);
  }
  return { ...toPeerAddress(ipaddr.IPv6.parse(host)), port };
}

/**
 * The address of dotted four-part decimal IPv4 text as a uint32, or -1: exactly the texts
 * ipaddr.js's `IPv4.isValidFourPartDecimal` accepts (four parts of 0..255, no leading zeros, no
 * sign or space), read without a regular expression or an object per address, because
 * `addPeer` and `dropPeer` parse one on every call. The tests compare the two.
 */
function parseFourPartDecimal(text: string): number {
  let value = 0;
  let part = -1;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e /* . */) {
      if (part < 0 || ++parts > 4) return -1;
      value = value * 256 + part;
      part = -1;
    } else if (c >= 0x30 && c <= 0x39) {
      if (part === 0) return -1; // a leading zero
      part = part < 0 ? c - 0x30 : part * 10 + c - 0x30;
      if (part > 255) return -1;
    } else {
      return -1;
    }
  }
  return parts === 4 ? value : -1;
}

function toPeerAddress(ip: ipaddr.IPv4 | ipaddr.IPv6): Omit<PexPeerAddress, 'port'> {
  // Read from the bytes (`::ffff:0:0/96`), not with `isIPv4MappedAddress()` or
  // `toIPv4Address()`: both ask ipaddr.js's undocumented range table, which we do not rely on.
  const v4 =
    ip.kind() === 'ipv6' && isIPv4Mapped(ip as ipaddr.IPv6)
      ? new ipaddr.IPv4(ip.toByteArray().slice(12))
      : ip;
  return {
    address: v4.toString(),
    family: v4.kind() === 'ipv4' ? 4 : 6,
    bytes: Uint8Array.from(v4.toByteArray()),
  };
}

/** True for `::ffff:a.b.c.d` (RFC 4291 2.5.5.2): five zero groups, then 0xffff. */
function isIPv4Mapped(ip: ipaddr.IPv6): boolean {
  const { parts } = ip;
  return (
    parts[0] === 0 &&
    parts[1] === 0 &&
    parts[2] === 0 &&
    parts[3] === 0 &&
    parts[4] === 0 &&
    parts[5] === 0xffff
  );
}

function describeInput(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  }
  if (typeof value === 'object' && value !== null) return 'object';
  return String(value);
}
