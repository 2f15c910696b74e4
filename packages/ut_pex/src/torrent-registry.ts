import type { PexPrivacy } from '@pex/events';
import {
  createPexSwarm,
  type PexSwarm,
  type PexWire,
  type UtPexExtension,
  type UtPexOptions,
} from '@pex/wire-adapter';
import { defineUtPexExtension, isOutgoing, LateOutbound } from '@pex/wire-adapter/internal';
import { findIncomingListenPort } from './listen-port.js';
import { readTorrentPrivacy } from './torrent-privacy.js';

/** What the registry is configured with, checked. */
export interface RegistrySettings {
  /** Options of every wire's extension and every torrent's swarm. */
  readonly extension: UtPexOptions;
  /** Our listen port, when the app gave it; otherwise learned from incoming connections. */
  readonly listenPort: number | undefined;
  /** Most torrents held at once. */
  readonly maxTorrents: number;
  /** The privacy of a torrent whose host gives no metadata to read it from (no ut_metadata). */
  readonly privacyWithoutMetadata: PexPrivacy;
}

/** One torrent: its swarm (one timeline for all its wires) and what is known of its privacy. */
interface Torrent {
  readonly swarm: PexSwarm;
  readonly extensions: Set<UtPexExtension>;
  privacy: PexPrivacy | undefined;
}

/** What the registry knows of one wire until it joins its torrent. */
interface WireState {
  readonly wire: PexWire;
  readonly extension: UtPexExtension;
  infoHash: string | undefined;
  /** From this wire's ut_metadata, when it told before the wire joined. */
  privacy: 'public' | 'private' | undefined;
  torrent: Torrent | undefined;
}

/** The parts of a WebTorrent-style wire the registry reads, beyond `PexWire`. */
interface HostWire {
  on(event: string, listener: (...args: never[]) => void): unknown;
  readonly ut_metadata?: {
    readonly metadata?: unknown;
    on?(event: 'metadata', listener: (metadata: unknown) => void): unknown;
  };
  readonly _infoHash?: unknown;
  readonly _extendedHandshakeSent?: boolean;
}

/**
 * The extensions of one process (or one `createUtPex()`), by torrent: each wire joins its
 * torrent's swarm once its info hash is known, so that every remote's listen address is
 * advertised to the other wires of that torrent and dropped everywhere when its wire closes.
 * A torrent is forgotten with its last wire; at most `maxTorrents` are held.
 */
export class TorrentRegistry {
  readonly #settings: RegistrySettings;
  readonly #torrents = new Map<string, Torrent>();
  #listenPort: number | undefined;

  constructor(settings: RegistrySettings) {
    this.#settings = settings;
    this.#listenPort = settings.listenPort;
  }

  /** Torrents held now. */
  get torrentCount(): number {
    return this.#torrents.size;
  }

  /** Our listen port as given or learned, if known. */
  get listenPort(): number | undefined {
    return this.#listenPort;
  }

  /** Installs a self-driving extension on `wire` (what `wire.use()` constructs). */
  install(wire: PexWire): UtPexExtension {
    const host = wire as unknown as HostWire;
    const late = new LateOutbound();
    const Extension = defineUtPexExtension(
      {
        ...this.#settings.extension,
        privacy: host.ut_metadata === undefined ? this.#settings.privacyWithoutMetadata : 'unknown',
      },
      { outbound: late, autoStart: true },
    );
    const extension = new Extension(wire);
    const state: WireState = {
      wire,
      extension,
      infoHash: undefined,
      privacy: undefined,
      torrent: undefined,
    };
    this.#writeListenPort(wire);
    host.on('handshake', ((infoHash: unknown) => {
      if (typeof infoHash === 'string') state.infoHash = infoHash;
    }) as never);
    host.on('extended', ((name: unknown) => {
      if (name === 'handshake' && state.torrent === undefined) this.#join(state);
    }) as never);
    // ut_metadata (installed before us, as WebTorrent does) holds the info dictionary when the
    // torrent's metadata is known, and emits it when a magnet's arrives.
    const learnPrivacy = (metadata: unknown) => {
      const privacy = readTorrentPrivacy(metadata);
      if (privacy === undefined) return;
      state.privacy = privacy;
      if (state.torrent !== undefined) this.#setPrivacy(state.torrent, privacy);
      else extension.setPrivacy(privacy);
    };
    learnPrivacy(host.ut_metadata?.metadata);
    host.ut_metadata?.on?.('metadata', learnPrivacy);
    wire.once('close', () => this.#leave(state));
    return extension;
  }

  /** The wire knows its torrent (its remote's extended handshake arrived): join its swarm. */
  #join(state: WireState): void {
    const { wire, extension } = state;
    if (wire.destroyed === true) return;
    const infoHash = state.infoHash ?? readInfoHash(wire);
    if (infoHash === undefined) {
      extension.emit('warning', new Error('ut_pex: the wire does not say which torrent it is for'));
      return;
    }
    let torrent = this.#torrents.get(infoHash);
    if (torrent === undefined) {
      if (this.#torrents.size >= this.#settings.maxTorrents) {
        extension.emit(
          'warning',
          new RangeError(
            `ut_pex: ${this.#settings.maxTorrents} torrents already exchange peers ("maxTorrents"); this wire only listens`,
          ),
        );
        return;
      }
      torrent = {
        swarm: createPexSwarm(this.#settings.extension),
        extensions: new Set(),
        privacy: undefined,
      };
      this.#torrents.set(infoHash, torrent);
    }
    state.torrent = torrent;
    torrent.extensions.add(extension);
    const remote = remoteOf(wire);
    if (remote !== undefined) {
      try {
        torrent.swarm.addWire(wire, remote);
      } catch (error) {
        extension.emit('warning', error instanceof Error ? error : new Error(String(error)));
      }
    }
    if (state.privacy !== undefined) this.#setPrivacy(torrent, state.privacy);
    else if (torrent.privacy !== undefined) extension.setPrivacy(torrent.privacy);
  }

  #setPrivacy(torrent: Torrent, privacy: PexPrivacy): void {
    torrent.privacy = privacy;
    for (const extension of torrent.extensions) extension.setPrivacy(privacy);
  }

  #leave(state: WireState): void {
    const { torrent } = state;
    if (torrent === undefined) return;
    state.torrent = undefined;
    torrent.extensions.delete(state.extension);
    if (torrent.extensions.size > 0) return;
    for (const [infoHash, held] of this.#torrents) {
      if (held === torrent) this.#torrents.delete(infoHash);
    }
    torrent.swarm.destroy();
  }

  /**
   * Writes our listen port as `p` into the wire's extended handshake where the host left it
   * unset and the handshake is not sent yet; learns it first from an incoming connection.
   */
  #writeListenPort(wire: PexWire): void {
    if (this.#listenPort === undefined && !isOutgoing(wire) && wire.type !== undefined) {
      this.#listenPort = findIncomingListenPort(wire);
    }
    const handshake = wire.extendedHandshake;
    const sent = (wire as unknown as HostWire)._extendedHandshakeSent === true;
    if (this.#listenPort === undefined || handshake === undefined || sent) return;
    if (handshake.p === undefined) handshake.p = this.#listenPort;
  }
}

/** The remote as the swarm helper takes it, from what the host set on the wire. */
function remoteOf(
  wire: PexWire,
): { address: string; port: number; outgoing: boolean; utp: boolean } | undefined {
  const { remoteAddress, remotePort, type } = wire;
  if (typeof remoteAddress !== 'string' || typeof remotePort !== 'number') return undefined;
  return {
    address: remoteAddress,
    port: remotePort,
    outgoing: isOutgoing(wire),
    utp: typeof type === 'string' && type.startsWith('utp'),
  };
}

/**
 * The info hash our side sent in its BitTorrent handshake, as bittorrent-protocol 5 keeps it
 * (`_infoHash`, bytes or hex): for a host that installs extensions after the handshakes, as
 * WebTorrent does, the `handshake` event has already passed.
 */
function readInfoHash(wire: PexWire): string | undefined {
  const value = (wire as unknown as HostWire)._infoHash;
  if (typeof value === 'string' && /^[0-9a-f]{40}$/i.test(value)) return value.toLowerCase();
  if (value instanceof Uint8Array && value.length === 20) {
    return Array.from(value, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }
  return undefined;
}
