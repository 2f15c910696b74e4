// Minimal types for bencode 4 (used only as a test oracle and by benchmarks).
declare module 'bencode' {
  const bencode: {
    encode(value: unknown): Uint8Array;
    decode(data: Uint8Array, start?: number, end?: number, encoding?: string): unknown;
    byteLength(value: unknown): number;
  };
  export default bencode;
}
