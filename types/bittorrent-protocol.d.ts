// Minimal types for untyped ESM dependencies used by tests and benchmarks, written from their
// 5.x source (@types/bittorrent-protocol describes v3 and is wrong for v5).

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
    /** BEP 3 `have`: we have piece `index`. */
    have(index: number): void;
    /** BEP 3 `bitfield`: the pieces we have, the high bit of the first byte is piece 0. */
    bitfield(bitfield: Uint8Array | { buffer: Uint8Array }): void;
    /** BEP 6 `have-all` (throws unless both handshakes set `fast`). */
    haveAll(): void;
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
