// A coverage-guided fuzzer for Jazzer.js-shaped targets (`export function fuzz(data)`), in
// plain Node: V8 block coverage (through node:inspector) is the signal, inputs that reach new
// blocks or new hit counts join the corpus, and mutations are byte-level plus a bencode
// dictionary. It exists because Jazzer.js 4's native addon needs glibc 2.38 and this machine
// kind has 2.36 (see docs/security.md); the targets run unchanged under `jazzer`.
//
// Usage: node fuzz/run.mjs --target=decode|session|FILE [--corpus=DIR]... [--write-corpus]
//          [-max_total_time=SECONDS] [--seed=N] [--artifacts=DIR] [--max-len=BYTES]
// Prints progress to stderr and one JSON line of results to stdout. Exit code 1 on a finding
// (an input that throws, or one slower than --timeout seconds); the input is written to
// the artifacts directory as crash-<sha1> (or slow-<sha1>).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bytesOf as concat } from '@pex/test-support/bytes';
import { startCoverage } from './coverage.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = {
    target: undefined,
    corpus: [],
    writeCorpus: false,
    maxTotalTime: 60,
    seed: Date.now() % 2 ** 31,
    artifacts: resolve(here, '..', 'crashes'),
    maxLen: 4096,
    timeout: 5,
  };
  for (const arg of argv) {
    const [name, value] = arg.replace(/^-+/, '').split('=');
    if (name === 'target') args.target = value;
    else if (name === 'corpus') args.corpus.push(resolve(value));
    else if (name === 'write-corpus') args.writeCorpus = true;
    else if (name === 'max_total_time' || name === 'max-total-time')
      args.maxTotalTime = Number(value);
    else if (name === 'seed') args.seed = Number(value);
    else if (name === 'artifacts') args.artifacts = resolve(value);
    else if (name === 'max-len' || name === 'max_len') args.maxLen = Number(value);
    else if (name === 'timeout') args.timeout = Number(value);
    else throw new TypeError(`unknown argument ${arg}`);
  }
  if (typeof args.target !== 'string' || args.target === '') {
    throw new TypeError(`"--target" expected decode, session or a target file, got ${args.target}`);
  }
  for (const key of ['maxTotalTime', 'seed', 'maxLen', 'timeout']) {
    if (!Number.isFinite(args[key]) || args[key] < 0) {
      throw new RangeError(`"${key}" expected a number >= 0, got ${args[key]}`);
    }
  }
  return args;
}

/** xorshift32: reproducible runs from `--seed`. */
function createRandom(seed) {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return { below: (n) => (n <= 0 ? 0 : next() % n), next };
}

const ascii = (text) => Uint8Array.from(text, (ch) => ch.charCodeAt(0));
const DICTIONARY = [
  'd',
  'e',
  'l',
  'i',
  ':',
  '-',
  '0',
  '0:',
  '1:x',
  'de',
  'le',
  'i0e',
  'i-1e',
  'i99999999999e',
  '5:added',
  '7:added.f',
  '6:added6',
  '8:added6.f',
  '7:dropped',
  '8:dropped6',
  '6:',
  '12:',
  '18:',
  '36:',
  '999999999:',
  '0000000006:',
  'd1:xle',
  'll',
  'dd',
].map(ascii);
const INTERESTING = [
  0, 1, 0x7f, 0x80, 0xff, 0x30, 0x31, 0x36, 0x39, 0x3a, 0x2d, 0x64, 0x65, 0x69, 0x6c,
];
const NUMBERS = [
  '0',
  '1',
  '5',
  '6',
  '12',
  '17',
  '18',
  '19',
  '36',
  '100',
  '2000',
  '65536',
  '999999999',
  '2147483648',
];

/** One random mutation of `input` (never modified in place). */
function mutateOnce(input, random, corpus, maxLen) {
  const pos = (extra = 0) => random.below(input.length + extra);
  switch (random.below(10)) {
    case 0: {
      if (input.length === 0) break;
      const out = input.slice();
      const at = pos();
      out[at] ^= 1 << random.below(8);
      return out;
    }
    case 1: {
      if (input.length === 0) break;
      const out = input.slice();
      out[pos()] =
        random.below(2) === 0 ? random.below(256) : INTERESTING[random.below(INTERESTING.length)];
      return out;
    }
    case 2: {
      const at = pos(1);
      const bytes = Uint8Array.from({ length: 1 + random.below(8) }, () => random.below(256));
      return concat(input.subarray(0, at), bytes, input.subarray(at));
    }
    case 3: {
      if (input.length === 0) break;
      const at = pos();
      const length = 1 + random.below(Math.min(16, input.length - at));
      return concat(input.subarray(0, at), input.subarray(at + length));
    }
    case 4: {
      if (input.length === 0) break;
      const from = pos();
      const length = 1 + random.below(Math.min(64, input.length - from));
      const at = pos(1);
      return concat(input.subarray(0, at), input.subarray(from, from + length), input.subarray(at));
    }
    case 5:
    case 6: {
      const at = pos(1);
      return concat(
        input.subarray(0, at),
        DICTIONARY[random.below(DICTIONARY.length)],
        input.subarray(at),
      );
    }
    case 7: {
      const other = corpus[random.below(corpus.length)];
      if (other === undefined || other.length === 0) break;
      const at = pos(1);
      const from = random.below(other.length);
      const length = 1 + random.below(other.length - from);
      return concat(input.subarray(0, at), other.subarray(from, from + length), input.subarray(at));
    }
    case 8: {
      // Rewrite a decimal number (a length prefix or an integer) in place.
      const starts = [];
      for (let i = 0; i < input.length; i++) {
        if (
          input[i] >= 0x30 &&
          input[i] <= 0x39 &&
          (i === 0 || input[i - 1] < 0x30 || input[i - 1] > 0x39)
        ) {
          starts.push(i);
        }
      }
      if (starts.length === 0) break;
      const start = starts[random.below(starts.length)];
      let end = start;
      while (end < input.length && input[end] >= 0x30 && input[end] <= 0x39) end++;
      const number =
        random.below(2) === 0
          ? NUMBERS[random.below(NUMBERS.length)]
          : String(random.below(70_000));
      return concat(input.subarray(0, start), ascii(number), input.subarray(end));
    }
    default: {
      // Repeat a chunk many times: long lists, deep nesting, many keys.
      if (input.length === 0) break;
      const from = pos();
      const length = 1 + random.below(Math.min(32, input.length - from));
      const times = 2 + random.below(64);
      const chunk = input.subarray(from, from + length);
      const parts = [input.subarray(0, from)];
      for (let i = 0; i < times && length * i < maxLen; i++) parts.push(chunk);
      parts.push(input.subarray(from));
      return concat(...parts);
    }
  }
  return Uint8Array.of(random.below(256));
}

function mutate(input, random, corpus, maxLen) {
  let out = input;
  const rounds = 1 + random.below(4);
  for (let i = 0; i < rounds; i++) out = mutateOnce(out, random, corpus, maxLen);
  return out.length > Math.max(maxLen, input.length) ? out.subarray(0, maxLen) : out;
}

const sha1 = (bytes) => createHash('sha1').update(bytes).digest('hex');

function readCorpus(dirs) {
  const inputs = [];
  for (const dir of dirs) {
    let names = [];
    try {
      names = readdirSync(dir).sort();
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue;
      inputs.push({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) });
    }
  }
  return inputs;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  // Only the packages under test count as coverage (their built output), not this harness.
  const coverage = startCoverage((url) => /\/packages\/(core|events)\/dist\//.test(url));
  const file = /^[a-z]+$/.test(args.target)
    ? join(here, 'targets', `${args.target}.mjs`)
    : resolve(args.target);
  const target = await import(pathToFileURL(file).href);
  const random = createRandom(args.seed);
  const seen = new Set();
  const corpus = [];
  let execs = 0;
  let newInputs = 0;

  const finding = (kind, bytes, error) => {
    mkdirSync(args.artifacts, { recursive: true });
    const file = join(args.artifacts, `${kind}-${sha1(bytes)}`);
    writeFileSync(file, bytes);
    process.stdout.write(
      `${JSON.stringify({
        target: args.target,
        finding: kind,
        file,
        input: Buffer.from(bytes.subarray(0, 256)).toString('hex'),
        length: bytes.length,
        error: String(error?.stack ?? error),
        execs,
        seed: args.seed,
      })}\n`,
    );
    coverage.stop();
    process.exit(1);
  };

  /** Runs one input; returns how many new features it reached. */
  const execute = (bytes) => {
    const started = performance.now();
    try {
      target.fuzz(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    } catch (error) {
      finding('crash', bytes, error);
    }
    execs++;
    if (performance.now() - started > args.timeout * 1000) {
      finding('slow', bytes, `one run took ${Math.round(performance.now() - started)} ms`);
    }
    let fresh = 0;
    for (const feature of coverage.take()) {
      if (!seen.has(feature)) {
        seen.add(feature);
        fresh++;
      }
    }
    return fresh;
  };

  const seeds = readCorpus(args.corpus);
  for (const seed of seeds) {
    execute(seed.bytes);
    corpus.push(seed.bytes);
  }
  if (corpus.length === 0) corpus.push(ascii('de'));
  const seedFeatures = seen.size;
  process.stderr.write(`#${execs} seeds: ${seeds.length} inputs, ${seedFeatures} features\n`);

  const started = performance.now();
  const deadline = started + args.maxTotalTime * 1000;
  let lastReport = started;
  for (;;) {
    const now = performance.now();
    if (now >= deadline) break;
    if (now - lastReport > 5_000) {
      lastReport = now;
      const rate = Math.round(execs / ((now - started) / 1000));
      process.stderr.write(`#${execs} cov: ${seen.size} corp: ${corpus.length} exec/s: ${rate}\n`);
    }
    // Recent finds are picked more often: they sit at the frontier of what is covered.
    const index =
      random.below(2) === 0
        ? corpus.length - 1 - random.below(Math.min(16, corpus.length))
        : random.below(corpus.length);
    const input = mutate(corpus[index], random, corpus, args.maxLen);
    if (execute(input) > 0) {
      corpus.push(input);
      newInputs++;
      if (args.writeCorpus && args.corpus[0] !== undefined) {
        mkdirSync(args.corpus[0], { recursive: true });
        writeFileSync(join(args.corpus[0], sha1(input)), input);
      }
    }
  }
  coverage.stop();
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({
      target: args.target,
      finding: null,
      execs,
      seconds: Math.round(seconds * 10) / 10,
      execsPerSecond: Math.round(execs / Math.max(seconds, 0.001)),
      seedInputs: seeds.length,
      seedFeatures,
      features: seen.size,
      corpus: corpus.length,
      newInputs,
      seed: args.seed,
    })}\n`,
  );
}

await main();
