// Minimal types for the incumbent's codec helpers, written from their source
// (compact2string 1.4.1 is CommonJS, string2compact 2.0.2 is ESM).

declare module 'compact2string' {
  interface Compact2String {
    /** One 6- or 18-byte compact peer as `"ip:port"` / `"[ip]:port"`. */
    (buf: Uint8Array): string;
    multi(buf: Uint8Array): string[];
    multi6(buf: Uint8Array): string[];
  }
  const compact2string: Compact2String;
  export default compact2string;
}

declare module 'string2compact' {
  /** `"ip:port"` strings to concatenated compact peers. */
  export default function string2compact(addrs: string | readonly string[]): Uint8Array;
}
