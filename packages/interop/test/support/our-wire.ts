// Our own stack on a real TCP wire: a bittorrent-protocol 5 wire with `utPex()` from
// @pex/wire-adapter, recording what its typed session reports and what went over the wire.
import type { PexViolation } from '@pex/core';
import type { PeerAddress, PexPeerEvent, PexSentEvent, PexWarningEvent } from '@pex/events';
import { type PexWire, type UtPexExtension, type UtPexOptions, utPex } from '@pex/wire-adapter';
import type { ExtensionConstructor } from 'bittorrent-protocol';
import { type HandshakeListener, listenForHandshakes, type OpenedWire, openWire } from './wire.js';

/** `host:port`, with brackets for IPv6. */
export function formatEndpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** Something that happened, with `performance.now()` when it did. */
export interface Timed<T> {
  readonly atMs: number;
  readonly value: T;
}

export interface OurWire {
  readonly opened: OpenedWire;
  /** `wire.ut_pex`: our adapter; `.session` is the typed @pex/events session. */
  readonly pex: UtPexExtension;
  /**
   * Our listen address: a handshake listener whose port we sent as `p`. libtorrent lists us
   * (and its other sessions may dial us) there; it is also our `localAddresses` entry.
   */
  readonly home: HandshakeListener;
  /** Our contact as libtorrent lists it: `home`'s address and port. */
  readonly self: { readonly address: string; readonly port: number };
  /** The connection as libtorrent's peer_log names it: our source address and port. */
  readonly connection: { readonly address: string; readonly port: number };
  /** Every raw ut_pex payload received, copied. */
  readonly payloads: Timed<Uint8Array>[];
  /** The session's typed events, in order. */
  readonly peers: Timed<PexPeerEvent>[];
  readonly dropped: Timed<PeerAddress>[];
  readonly sent: Timed<PexSentEvent>[];
  readonly violations: PexViolation[];
  readonly invalid: Error[];
  readonly warnings: PexWarningEvent[];
  /** ut_pex-style `warning` events of the adapter (violations and invalid payloads included). */
  readonly adapterWarnings: Error[];
  /** ut_pex-style `peer` events of the adapter: `"ip:port"` / `"[ip]:port"`. */
  readonly adapterPeers: string[];
  /** Closes the wire and the home listener. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenOurWireOptions {
  host: string;
  port: number;
  infoHash: string;
  /** Our source address and listen address, e.g. "127.0.0.1" or "::1". */
  localAddress: string;
  /** utPex() options besides `remoteAddress` and `localAddresses` (set from the above). */
  pex?: Omit<UtPexOptions, 'remoteAddress' | 'localAddresses'>;
  /** Calls `start()` in the extension's constructor, before any handshake. Default false. */
  start?: boolean;
}

/**
 * Opens a real wire to `host:port` with our `utPex()`. The adapter gets the remote's address
 * (the default peer policy accepts loopback peers only from a known loopback remote) and our
 * listen address as `localAddresses` (libtorrent lists the recipient itself; we must drop it).
 * Every recorder is installed in the extension's constructor, before any byte arrives.
 * @throws Error as `openWire` does; the home listener is closed first.
 */
export async function openOurWire(options: OpenOurWireOptions): Promise<OurWire> {
  const home = await listenForHandshakes({ host: options.localAddress });
  const self = { address: options.localAddress, port: home.port };
  const payloads: Timed<Uint8Array>[] = [];
  const peers: Timed<PexPeerEvent>[] = [];
  const dropped: Timed<PeerAddress>[] = [];
  const sent: Timed<PexSentEvent>[] = [];
  const violations: PexViolation[] = [];
  const invalid: Error[] = [];
  const warnings: PexWarningEvent[] = [];
  const adapterWarnings: Error[] = [];
  const adapterPeers: string[] = [];

  const Base = utPex({
    ...options.pex,
    remoteAddress: formatEndpoint(options.host, options.port),
    localAddresses: [formatEndpoint(self.address, self.port)],
  });
  const start = options.start === true;
  class RecordingUtPex extends Base {
    constructor(wire: PexWire) {
      super(wire);
      const at = () => performance.now();
      (wire as unknown as { on(e: 'extended', l: (ext: unknown, p: unknown) => void): void }).on(
        'extended',
        (ext, payload) => {
          if (ext === 'ut_pex' && payload instanceof Uint8Array) {
            payloads.push({ atMs: at(), value: new Uint8Array(payload) });
          }
        },
      );
      this.session.on('peer', (p) => peers.push({ atMs: at(), value: p }));
      this.session.on('dropped', (p) => dropped.push({ atMs: at(), value: p }));
      this.session.on('sent', (s) => sent.push({ atMs: at(), value: s }));
      this.session.on('violation', (v) => violations.push(v));
      this.session.on('invalid', (e) => invalid.push(e));
      this.session.on('warning', (w) => warnings.push(w));
      this.on('warning', (e) => adapterWarnings.push(e));
      this.on('peer', (p) => adapterPeers.push(p));
      if (start) this.start();
    }
  }

  let opened: OpenedWire;
  try {
    opened = await openWire({
      host: options.host,
      port: options.port,
      infoHash: options.infoHash,
      localAddress: options.localAddress,
      extensions: [RecordingUtPex as unknown as ExtensionConstructor],
      listenPort: home.port,
    });
  } catch (err) {
    await home.close();
    throw err;
  }
  const pex = (opened.wire as unknown as { ut_pex: UtPexExtension }).ut_pex;
  let closed: Promise<void> | undefined;
  return {
    opened,
    pex,
    home,
    self,
    connection: { address: options.localAddress, port: opened.socket.localPort ?? 0 },
    payloads,
    peers,
    dropped,
    sent,
    violations,
    invalid,
    warnings,
    adapterWarnings,
    adapterPeers,
    close() {
      if (closed === undefined) {
        opened.close();
        closed = home.close();
      }
      return closed;
    },
  };
}

/** A rotation of advertised contacts, made by {@link rotateContacts}. */
export interface ContactRotation {
  /** How many times `advance` has run. */
  readonly rounds: number;
  /** Advertises the next contact of the pool and drops the one advertised before it. */
  advance(): void;
}

/**
 * Advertises the contacts of `pool` on `wire` one at a time, in a cycle, so that every call to
 * `advance` leaves one change pending for the next message.
 */
export function rotateContacts(wire: OurWire, pool: readonly HandshakeListener[]): ContactRotation {
  let rounds = 0;
  const at = (round: number) => pool[round % pool.length] as HandshakeListener;
  return {
    get rounds() {
      return rounds;
    },
    advance() {
      const next = at(rounds);
      wire.pex.addPeer(formatEndpoint(next.address, next.port));
      if (rounds > 0) {
        const prev = at(rounds - 1);
        wire.pex.dropPeer(formatEndpoint(prev.address, prev.port));
      }
      rounds++;
    },
  };
}

/** A contact, for sorting and comparing peer lists. */
export type Endpoint = { address: string; port: number };

/** Orders contacts by address, then port. */
export const byEndpoint = (a: Endpoint, b: Endpoint): number =>
  a.address.localeCompare(b.address) || a.port - b.port;

/** What our session reported on `wire`, in a comparable shape, sorted by contact. */
export function reportedPeers(wire: OurWire) {
  return wire.peers
    .map(({ value }) => ({
      address: value.address,
      port: value.port,
      family: value.family,
      flags: value.flags.byte,
    }))
    .sort(byEndpoint);
}
