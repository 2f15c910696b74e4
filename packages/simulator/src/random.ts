/**
 * A seeded pseudo-random source: the only randomness in a simulation, so the same seed and
 * options give the same run. Not for cryptography.
 */
export interface SimulationRandom {
  /** A number in [0, 1). */
  nextFloat(): number;
  /**
   * An integer in `min..max` (both included).
   * @throws never (for integers `min <= max`; other inputs give a meaningless number).
   */
  nextInteger(min: number, max: number): number;
}

/** 2^-32: turns a 32-bit unsigned integer into a float in [0, 1). */
const UINT32_SCALE = 1 / 0x1_0000_0000;

/**
 * Creates xorshift128 (Marsaglia, 2003) seeded from `seed` through splitmix32, so nearby seeds
 * (1, 2, 3) give unrelated sequences and no seed gives the all-zero state xorshift cannot leave.
 * Period 2^128 - 1; a few nanoseconds per number, which matters at millions of draws per run.
 * @throws never (any number is a seed; it is reduced to 32 bits).
 */
export function createRandom(seed: number): SimulationRandom {
  let mix = seed >>> 0;
  const nextSeedWord = (): number => {
    mix = (mix + 0x9e3779b9) | 0;
    let z = mix;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let x = nextSeedWord();
  let y = nextSeedWord();
  let z = nextSeedWord();
  let w = nextSeedWord();
  if ((x | y | z | w) === 0) w = 1;

  const nextUint32 = (): number => {
    const t = x ^ (x << 11);
    x = y;
    y = z;
    z = w;
    w = (w ^ (w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return w;
  };

  return {
    nextFloat: () => nextUint32() * UINT32_SCALE,
    nextInteger: (min, max) => min + Math.floor(nextUint32() * UINT32_SCALE * (max - min + 1)),
  };
}
