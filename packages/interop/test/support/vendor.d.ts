// Minimal types for the untyped ESM test dependencies, written from their 5.x / 4.x source.
// (@types/bittorrent-protocol describes v3 and is wrong for v5.) Only what the interop
// tests use is declared.

declare module 'bittorrent-protocol' {
  /** What `wire.use()` accepts: a constructor whose prototype carries `name`. */
  export interface ExtensionConstructor {
    new (wire: Wire): WireExtension;
    prototype: { name: string };
  }

  export interface WireExtension {
    name?: string;
    onHandshake?(infoHash: string, peerId: string, extensions: Record<string, boolean>): void;
    onExtendedHandshake?(handshake: Record<string, unknown>): void;
    onMessage?(payload: Uint8Array): void;
  }

  export default class Wire {
    constructor(type?: string, peEnabled?: number);
    peerId: string | null;
    destroyed: boolean;
    /** Sent as our extended handshake (plus `m`, filled from the registered extensions). */
    extendedHandshake: Record<string, unknown>;
    /** The remote peer's extended handshake, once received. */
    peerExtendedHandshake: Record<string, unknown>;
    /** Remote extension name -> the id the remote peer wants for it. */
    peerExtendedMapping: Record<string, number>;
    use(extension: ExtensionConstructor): void;
    handshake(
      infoHash: string | Uint8Array,
      peerId: string | Uint8Array,
      extensions?: { dht?: boolean; fast?: boolean },
    ): void;
    extended(ext: string | number, payload: Uint8Array | Record<string, unknown>): void;
    setKeepAlive(enable: boolean): void;
    destroy(): Wire | undefined;
    end(): Wire | undefined;
    /** Bytes from the remote peer (the wire is a streamx Duplex). */
    write(chunk: Uint8Array): boolean;
    on(
      event: 'handshake',
      listener: (infoHash: string, peerId: string, extensions: Record<string, boolean>) => void,
    ): this;
    on(event: 'extended', listener: (ext: string | number, payload: unknown) => void): this;
    /** Bytes to send to the remote peer. */
    on(event: 'data', listener: (chunk: Uint8Array) => void): this;
    on(event: 'close' | 'end' | 'finish', listener: () => void): this;
    on(event: 'error', listener: (err: Error) => void): this;
    on(event: string, listener: (...args: unknown[]) => void): this;
    once(event: string, listener: (...args: unknown[]) => void): this;
    off(event: string, listener: (...args: unknown[]) => void): this;
  }
}

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

declare module 'bencode' {
  const bencode: {
    encode(value: unknown): Uint8Array;
    decode(data: Uint8Array, encoding?: string): unknown;
  };
  export default bencode;
}
