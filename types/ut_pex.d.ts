// Minimal types for untyped ESM dependencies used by tests and benchmarks, written from their
// 5.x source (@types/bittorrent-protocol describes v3 and is wrong for v5).

declare module 'ut_pex' {
  import type { ExtensionConstructor } from 'bittorrent-protocol';

  export interface UtPexFlags {
    prefersEncryption: boolean;
    isSender: boolean;
    supportsUtp: boolean;
    supportsUtHolepunch: boolean;
    isReachable: boolean;
  }

  /** The handler `wire.use(utPex())` installs as `wire.ut_pex`. */
  export interface UtPex {
    start(): void;
    stop(): void;
    reset(): void;
    addPeer(peer: string, flags?: Partial<UtPexFlags>): void;
    addPeer6(peer: string, flags?: Partial<UtPexFlags>): void;
    dropPeer(peer: string): void;
    dropPeer6(peer: string): void;
    on(event: 'peer', listener: (peer: string, flags: UtPexFlags) => void): this;
    on(event: 'dropped', listener: (peer: string) => void): this;
    on(event: 'warning', listener: (err: Error) => void): this;
  }

  export default function utPex(): ExtensionConstructor;
}
