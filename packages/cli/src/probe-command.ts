import { parseArgs } from 'node:util';
import { decodePexMessage, isPexDecodeError, type PexMessage } from '@pex/core';
import { classifyPeer, type PeerAddress } from '@pex/events';
import {
  parseIpAddress,
  readPeerAddress,
  readPeerFlags,
  stringifyPeerAddress,
} from '@pex/events/internal';
import { readHostPort, readInfoHash, readIntegerOption, readSecondsOption } from './args.js';
import { describeFlags } from './format-message.js';
import type { CommandIo } from './io.js';
import {
  openProbeConnection,
  type ProbeConnection,
  type ProbeEndpoint,
  type ProbeEndpoints,
  ProbeError,
} from './probe-connection.js';
import { UsageError } from './usage.js';

/** Exit codes of `pex probe` (2 is a usage error, as for every command). */
export const PROBE_EXIT_CODES = {
  /** At least one PEX message arrived. */
  ok: 0,
  connectFailed: 3,
  handshakeRejected: 4,
  noUtPex: 5,
  /** Handshakes done, but no PEX message before the duration ended or the peer closed. */
  noPex: 6,
} as const;

const EXIT_BY_KIND = {
  'connect-failed': PROBE_EXIT_CODES.connectFailed,
  'handshake-rejected': PROBE_EXIT_CODES.handshakeRejected,
  'no-ut-pex': PROBE_EXIT_CODES.noUtPex,
} as const;

const DEFAULT_LISTEN_PORT = 6881;
const DEFAULT_DURATION_SECONDS = 90;
const DEFAULT_HANDSHAKE_TIMEOUT_SECONDS = 10;

/**
 * `pex probe HOST:PORT --info-hash HEX [--listen-port N] [--duration S] [--count N]
 * [--timeout S] [--json]`: connects to a live peer and prints every PEX message it sends.
 * Returns the exit code (see `PROBE_EXIT_CODES`).
 * @throws {UsageError} for bad arguments.
 */
export async function runProbe(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      'info-hash': { type: 'string' },
      'listen-port': { type: 'string' },
      duration: { type: 'string' },
      count: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (positionals.length > 1) throw new UsageError('probe expects one HOST:PORT');
  const target = readHostPort(positionals[0]);
  const infoHash = readInfoHash(values['info-hash']);
  const listenPort = readIntegerOption(
    'listen-port',
    values['listen-port'],
    DEFAULT_LISTEN_PORT,
    1,
    65535,
  );
  const durationMs = readSecondsOption(
    'duration',
    values.duration,
    DEFAULT_DURATION_SECONDS,
    0.1,
    86_400,
  );
  const count = readIntegerOption('count', values.count, 0, 1, 1_000_000);
  const handshakeTimeoutMs = readSecondsOption(
    'timeout',
    values.timeout,
    DEFAULT_HANDSHAKE_TIMEOUT_SECONDS,
    0.1,
    600,
  );
  const json = values.json;
  const print = (event: Record<string, unknown>, lines: string[]) => {
    if (json) io.out(JSON.stringify(event));
    else for (const line of lines) io.out(line);
  };
  const targetText = stringifyPeerAddress({ address: target.host, port: target.port });

  let messages = 0;
  let added = 0;
  let dropped = 0;
  let finish: (reason: 'duration' | 'count' | 'closed') => void = () => {};
  const finished = new Promise<'duration' | 'count' | 'closed'>((resolve) => {
    finish = resolve;
  });

  if (!json) {
    io.out(
      `probing ${targetText} for info hash ${infoHash} (advertising ut_pex and listen port ${listenPort})`,
    );
  }
  let connection: ProbeConnection;
  try {
    connection = await openProbeConnection({
      host: target.host,
      port: target.port,
      infoHash,
      listenPort,
      handshakeTimeoutMs,
      onPex: (payload, atMs, endpoints) => {
        let message: PexMessage;
        try {
          message = decodePexMessage(payload);
        } catch (error) {
          if (!isPexDecodeError(error)) throw error;
          print(
            {
              event: 'invalid',
              atMs: round(atMs),
              bytes: payload.length,
              reason: error.reason,
              message: error.message,
            },
            [
              `${stamp(atMs)}  invalid PEX payload (${payload.length} bytes): ${error.reason}: ${error.message}`,
            ],
          );
          return;
        }
        messages++;
        const view = describeMessage(message, endpoints);
        added += view.added.length;
        dropped += view.dropped.length;
        print({ event: 'pex', atMs: round(atMs), bytes: payload.length, ...view }, [
          `${stamp(atMs)}  PEX message ${messages} (${payload.length} bytes): added ${view.added.length}, dropped ${view.dropped.length}`,
          ...view.added.map(
            (p) =>
              `  + ${p.peer}${p.flagNames.length > 0 ? `  [${p.flagNames.join(', ')}]` : ''}` +
              (p.policy === 'accept'
                ? ''
                : p.policy === 'own-address'
                  ? '  (that is us: our address and advertised listen port)'
                  : `  (the default peer policy refuses it: ${p.policy})`),
          ),
          ...view.dropped.map((p) => `  - ${p}`),
        ]);
        if (count > 0 && messages >= count) finish('count');
      },
      onWarning: (error, atMs) => {
        print({ event: 'warning', atMs: round(atMs), name: error.name, message: error.message }, [
          `${stamp(atMs)}  warning: ${error.message}`,
        ]);
      },
      onClose: (atMs) => {
        print({ event: 'closed', atMs: round(atMs) }, [
          `${stamp(atMs)}  the peer closed the connection`,
        ]);
        finish('closed');
      },
    });
  } catch (error) {
    if (!(error instanceof ProbeError)) throw error;
    const exitCode = EXIT_BY_KIND[error.kind];
    if (json)
      io.out(
        JSON.stringify({ event: 'error', kind: error.kind, message: error.message, exitCode }),
      );
    else io.err(`pex probe ${targetText}: ${describeKind(error.kind)}: ${error.message}`);
    return exitCode;
  }

  const peerId = printablePeerId(connection.peerId);
  print(
    {
      event: 'connected',
      peer: targetText,
      infoHash,
      connectMs: round(connection.connectMs),
      peerId: connection.peerId,
      client: connection.client ?? null,
      listenPort: connection.remoteListenPort ?? null,
      extensions: connection.extensions,
      utPexId: connection.utPexId,
    },
    [
      `connected in ${round(connection.connectMs)} ms; peer id ${peerId}` +
        `${connection.client === undefined ? '' : ` (${connection.client})`}, ` +
        `ut_pex id ${connection.utPexId}` +
        `${connection.remoteListenPort === undefined ? '' : `, listen port ${connection.remoteListenPort}`}`,
      `waiting up to ${round(durationMs / 1000)} s for PEX messages ` +
        '(peers send the first one a second or two after the handshake, then at most one a minute)',
    ],
  );

  const timer = setTimeout(() => finish('duration'), durationMs);
  const reason = await finished;
  clearTimeout(timer);
  connection.close();
  const exitCode = messages > 0 ? PROBE_EXIT_CODES.ok : PROBE_EXIT_CODES.noPex;
  const noPexWhy =
    reason === 'closed'
      ? 'the peer closed the connection first'
      : `within ${round(durationMs / 1000)} s`;
  print({ event: 'end', reason, messages, added, dropped, exitCode }, [
    messages > 0
      ? `done (${reason}): ${messages} PEX message${messages === 1 ? '' : 's'}, ${added} peers added, ${dropped} dropped`
      : `no PEX message: ${noPexWhy}`,
  ]);
  if (messages === 0 && !json) io.err(`pex probe ${targetText}: no PEX message ${noPexWhy}`);
  return exitCode;
}

function endpointOf(endpoint: ProbeEndpoint): PeerAddress | undefined {
  try {
    const ip = parseIpAddress(endpoint.address);
    return { address: ip.address, port: endpoint.port, family: ip.family };
  } catch {
    return undefined; // not an IP address: the policy treats it as unknown
  }
}

/** The peers of one message with flags by name and the default policy's verdict. */
function describeMessage(message: PexMessage, endpoints: ProbeEndpoints) {
  const remote = endpointOf(endpoints.remote);
  const local = endpointOf(endpoints.local);
  const added = [...message.added, ...message.added6].map((peer) => {
    const address = readPeerAddress(peer.address, peer.port);
    const flags = readPeerFlags(peer.flags ?? 0);
    return {
      peer: stringifyPeerAddress(address),
      flags: flags.byte,
      flagNames: describeFlags(flags.byte),
      policy: classifyPeer(
        { address: address.address, port: address.port, family: address.family, flags },
        { remote, localAddresses: local === undefined ? [] : [local] },
      ),
    };
  });
  const dropped = [...message.dropped, ...message.dropped6].map((peer) =>
    stringifyPeerAddress(readPeerAddress(peer.address, peer.port)),
  );
  return { added, dropped };
}

function describeKind(kind: ProbeError['kind']): string {
  switch (kind) {
    case 'connect-failed':
      return 'cannot connect';
    case 'handshake-rejected':
      return 'handshake rejected';
    case 'no-ut-pex':
      return 'no ut_pex';
  }
}

function printablePeerId(hex: string): string {
  return Buffer.from(hex, 'hex')
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
}

function stamp(atMs: number): string {
  return `+${(atMs / 1000).toFixed(3)} s`;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
