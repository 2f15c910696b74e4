import type { PexPrivacy } from '@pex/events';
import type { PexWire, UtPexExtension, UtPexOptions } from '@pex/wire-adapter';
import { checkUtPexOptions, defineUtPexExtension } from '@pex/wire-adapter/internal';
import { TorrentRegistry } from './torrent-registry.js';

/** Options of `createUtPex`: those of `utPex()` of @pex/wire-adapter, plus the ones below. */
export interface CreateUtPexOptions extends Omit<UtPexOptions, 'privacy' | 'remoteAddress'> {
  /**
   * Our listen port, written as `p` into every extended handshake that leaves it unset, so that
   * remotes can advertise us. Default: learned from the first incoming connection (the local
   * port of its socket, where the host's streams show it), for the wires set up after that.
   * WebTorrent knows it as `client.torrentPort`.
   */
  readonly listenPort?: number;
  /** Most torrents that exchange peers at once; wires of further torrents only listen. Default 4096. */
  readonly maxTorrents?: number;
  /**
   * The privacy (BEP 27) of a torrent whose host has no ut_metadata extension on the wire to
   * read it from. Default `'public'`: a host that attaches ut_pex without ut_metadata knows its
   * torrent. With ut_metadata (WebTorrent), a torrent is `'unknown'` until its metadata says.
   */
  readonly privacyWithoutMetadata?: PexPrivacy;
}

/** The factory a host imports as `ut_pex`: `wire.use(utPex())`. */
export type UtPexFactory = () => {
  new (wire: PexWire): UtPexExtension;
  /** bittorrent-protocol reads the extension's name here before constructing it. */
  readonly prototype: {
    /** Always `'ut_pex'`. */
    readonly name: 'ut_pex';
  };
};

/** Default most torrents at once: a large seedbox, and a bound on what strangers can make us hold. */
const DEFAULT_MAX_TORRENTS = 4096;

/**
 * Creates a ut_pex factory with its own registry of torrents: extensions it makes drive
 * themselves, advertising every wire's remote to the other wires of the same torrent, with every
 * BEP 11 rule, and never on a private torrent (BEP 27). The default export of this package is one
 * such factory for the whole process; create your own to run two clients in one process, or to
 * pass options.
 * @throws {TypeError|RangeError} at once for an invalid option.
 *
 * @example
 * ```ts
 * import { createUtPex } from '@pex/ut_pex';
 * const utPex = createUtPex({ listenPort: 6881 });
 * wire.use(utPex());
 * ```
 */
export function createUtPex(options: CreateUtPexOptions = {}): UtPexFactory {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`"options" expected an object, got ${String(options)}`);
  }
  const {
    listenPort,
    maxTorrents = DEFAULT_MAX_TORRENTS,
    privacyWithoutMetadata = 'public',
    ...extension
  } = options;
  checkUtPexOptions(extension);
  if (
    listenPort !== undefined &&
    !(
      typeof listenPort === 'number' &&
      Number.isInteger(listenPort) &&
      listenPort >= 1 &&
      listenPort <= 65535
    )
  ) {
    throw new RangeError(`"listenPort" expected an integer 1..65535, got ${String(listenPort)}`);
  }
  if (!(typeof maxTorrents === 'number' && Number.isSafeInteger(maxTorrents) && maxTorrents >= 1)) {
    throw new RangeError(`"maxTorrents" expected a positive integer, got ${String(maxTorrents)}`);
  }
  if (
    privacyWithoutMetadata !== 'public' &&
    privacyWithoutMetadata !== 'private' &&
    privacyWithoutMetadata !== 'unknown'
  ) {
    throw new TypeError(
      `"privacyWithoutMetadata" expected 'public', 'private' or 'unknown', got ${String(privacyWithoutMetadata)}`,
    );
  }
  const registry = new TorrentRegistry({
    extension,
    listenPort,
    maxTorrents,
    privacyWithoutMetadata,
  });
  // Every extension has the one prototype of @pex/wire-adapter's (name 'ut_pex'): the
  // constructor returns the extension the registry installed.
  const { prototype } = defineUtPexExtension({}, {});
  function SelfDrivingUtPex(wire: PexWire): UtPexExtension {
    return registry.install(wire);
  }
  SelfDrivingUtPex.prototype = prototype;
  const Extension = SelfDrivingUtPex as unknown as ReturnType<UtPexFactory>;
  return () => Extension;
}
