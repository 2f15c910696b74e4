import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { decodeSeeds, type Seed, sessionSeeds } from './support/seeds.js';

// The kept corpus starts from @pex/core's fixture tables. This test fails when a fixture has no
// seed file (or a different one); `PEX_WRITE_CORPUS=1` writes the missing ones instead.
const corpusDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'corpus');
const write = process.env.PEX_WRITE_CORPUS === '1';

function checkSeeds(target: string, seeds: readonly Seed[]) {
  const dir = join(corpusDir, target);
  if (write) mkdirSync(dir, { recursive: true });
  expect(new Set(seeds.map((s) => s.file)).size).toBe(seeds.length);
  for (const seed of seeds) {
    const file = join(dir, seed.file);
    if (write && !existsSync(file)) writeFileSync(file, seed.bytes);
    expect({ file: seed.file, bytes: Buffer.from(readFileSync(file)).toString('hex') }).toEqual({
      file: seed.file,
      bytes: Buffer.from(seed.bytes).toString('hex'),
    });
  }
  return readdirSync(dir).length;
}

describe('kept corpus', () => {
  test('corpus/decode holds every golden and hostile payload of @pex/core', () => {
    expect(checkSeeds('decode', decodeSeeds())).toBeGreaterThanOrEqual(decodeSeeds().length);
  });

  test('corpus/session holds every fixture payload as a receive, and the sequences', () => {
    expect(checkSeeds('session', sessionSeeds())).toBeGreaterThanOrEqual(sessionSeeds().length);
  });
});
