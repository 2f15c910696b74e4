// Every command that README.md, packages/*/README.md, docs/*.md and examples/README.md document,
// run as written in a fresh copy of the working tree: what a clean clone holds (no node_modules,
// no dist, no build cache of its own), so `npm run build` there also proves that it installs the
// workspace by itself. Each must exit 0. A documented command this file neither runs nor
// explains fails the first test: add it to COMMANDS.
//
// The copy shares the repository's turbo cache (TURBO_CACHE_DIR), so that `npm run build` and
// `npm run typecheck` replay what `npm test` already built and checked instead of doing it again.
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** How a documented command is checked: run (this shell command, in the copy) or why not. */
type Check = { readonly run: string; readonly timeoutS?: number } | { readonly why: string };

const RUN_AS_WRITTEN = (timeoutS?: number): Check => ({
  run: '',
  ...(timeoutS ? { timeoutS } : {}),
});
const NAME_ONLY: Check = { why: 'a command name in prose; its documented forms are run below' };
const NEEDS_PEER: Check = {
  why: 'needs a live BitTorrent peer: packages/cli/test/probe-command.test.ts runs probe against a local peer and libtorrent',
};
const FROM_REGISTRY: Check = {
  why: 'installs from the npm registry; scripts/check-packages.sh checks the packed packages',
};
const INTEROP_JEST: Check = {
  why: 'a jest subset of the real-client tests (Debian packages): npm test runs them all',
};

/**
 * Every documented command, as written, in the order they run. `run: ''` runs it as written;
 * `pex` is the built binary of @pex/cli (`node packages/cli/dist/bin.js`), as the root README says.
 * The first command runs in a copy without node_modules.
 */
const COMMANDS: ReadonlyArray<readonly [documented: string, check: Check]> = [
  ['npm run build', RUN_AS_WRITTEN(300)],
  ['npm run typecheck', RUN_AS_WRITTEN(300)],
  ['npm run lint', RUN_AS_WRITTEN()],
  ['npm run jest -- <path>', { run: 'npm run jest -- packages/core/test/message.test.ts' }],
  ['npm run docs:api', RUN_AS_WRITTEN(120)],
  [
    'npm run bench',
    { why: 'the full run takes minutes and rewrites docs/benchmarks.md: --quick runs' },
  ],
  ['npm run bench -- --quick', RUN_AS_WRITTEN(120)],
  [
    'npm run bench -- --scale',
    { why: 'the seedbox case alone takes minutes (50,000 wires): --quick runs it at 20 wires' },
  ],
  ['npm run demo', RUN_AS_WRITTEN(120)],
  ['npm run demo -- --nodes 30', RUN_AS_WRITTEN(120)],
  ['pex demo', { why: 'what npm run demo runs' }],
  ['pex decode 6465', RUN_AS_WRITTEN()],
  ['pex decode 64373a64726f70706564363a7f0000011ae165', RUN_AS_WRITTEN()],
  ["printf 'de' | pex decode --file -", RUN_AS_WRITTEN()],
  ['pex --version', RUN_AS_WRITTEN()],
  ['pex --help', RUN_AS_WRITTEN()],
  ['node packages/cli/dist/bin.js', { run: 'node packages/cli/dist/bin.js --help' }],
  ['pex', NAME_ONLY],
  ['npx', { why: 'a word in prose (pnpm runs through npx)' }],
  ['pex decode', NAME_ONLY],
  ['pex simulate', NAME_ONLY],
  ['pex simulate --nodes 100 --hours 0.25', RUN_AS_WRITTEN(120)],
  [
    'pex simulate --nodes 1000 --preset default --json',
    { why: 'a minute or more of CPU (docs/simulation.md gives the run): the 100-node run runs' },
  ],
  [
    'pex simulate --nodes 1000 --preset libtorrent --json',
    { why: 'a minute or more of CPU (docs/simulation.md gives the run): the 100-node run runs' },
  ],
  [
    'pex simulate --nodes 1000 --preset transmission --json',
    { why: 'a minute or more of CPU (docs/simulation.md gives the run): the 100-node run runs' },
  ],
  ['pex probe', NAME_ONLY],
  ['pex probe 203.0.113.5:51413 --info-hash 0123...cdef', NEEDS_PEER],
  ['pex probe HOST:PORT --info-hash HEX', NEEDS_PEER],
  ['node packages/cli/dist/bin.js probe HOST:PORT --info-hash HEX', NEEDS_PEER],
  ['node examples/custom-engine.mjs', RUN_AS_WRITTEN()],
  [
    'node examples/bittorrent-swarm.mjs',
    { why: 'packages/dist-tests/test/examples.test.ts runs it (fixed ports 7001-7003)' },
  ],
  ['npm run fuzz', { why: '600 s per target by default: a 3 s run of one target runs' }],
  ['npm run fuzz -- [seconds] [target...]', { run: 'npm run fuzz -- 3 decode', timeoutS: 120 }],
  ['npm run soak', { why: '300 s by default: a 4 s run with 20 wires runs' }],
  ['npm run soak -- [seconds] [wires]', { run: 'npm run soak -- 4 20', timeoutS: 120 }],
  ['npm test', { why: 'the whole suite, this test included' }],
  ['npm run test:quick -- packages/cli', RUN_AS_WRITTEN(300)],
  [
    'npm run test:quick',
    { why: 'npm test runs all of it; its script runs with packages/cli above' },
  ],
  ['npm run check:packages', { why: 'a step of npm test (scripts/test-all.sh)' }],
  ['npm run size', { why: 'a step of npm test (scripts/test-all.sh)' }],
  ['npm run changeset', { why: 'interactive: asks which packages changed' }],
  ['npm run changeset -- version', { why: 'a release step: rewrites versions and changelogs' }],
  ['npm run changeset -- publish', { why: 'a release step: publishes to npm' }],
  ['npm install @pex/core', FROM_REGISTRY],
  ['npm install @pex/events', FROM_REGISTRY],
  ['npm install @pex/wire-adapter bittorrent-protocol', FROM_REGISTRY],
  ['npm install --save-dev @pex/arbitraries fast-check', FROM_REGISTRY],
  ['npm install --global @pex/cli', FROM_REGISTRY],
  ['npm install @pex/ut_pex', FROM_REGISTRY],
  ['npm install @pex/simulator', FROM_REGISTRY],
  ['node scripts/count-public-names.mjs', RUN_AS_WRITTEN()],
  ['npm run mutate', { why: 'mutation testing takes hours on this machine (docs/quality.md)' }],
  [
    'npm pack',
    { why: 'named to warn against it: it leaves workspace: ranges in the packed package.json' },
  ],
  ['pnpm pack', { why: 'scripts/check-packages.sh packs every package with it (npm test)' }],
  ['NODE_OPTIONS=--experimental-vm-modules node_modules/.bin/jest packages/interop', INTEROP_JEST],
  [
    "NODE_OPTIONS=--experimental-vm-modules node_modules/.bin/jest packages/interop -t '^(?!.*SLOW)'",
    INTEROP_JEST,
  ],
  [
    'npx jazzer',
    { why: 'needs glibc 2.38 (docs/security.md); the fuzz targets run in plain Node' },
  ],
  ['node --cpu-prof', { why: 'a Node.js flag in prose, not a command' }],
];

/** The documents whose commands are checked: tracked by git, so in-progress files do not count. */
function documentedFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', '-z', '--', '*.md'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return tracked
    .split('\0')
    .filter((file) =>
      /^(README\.md|packages\/[^/]+\/README\.md|docs\/[^/]+\.md|examples\/README\.md)$/.test(file),
    )
    .filter((file) => existsSync(join(repoRoot, file)));
}

/**
 * The commands of a Markdown text: each line of a sh/bash/shell/console code block (comments
 * dropped), and each inline code span outside blocks that starts with npm, npx, pnpm, node or pex.
 */
function extractCommands(markdown: string): string[] {
  const commands: string[] = [];
  for (const block of markdown.matchAll(/```(?:sh|bash|shell|console)\n([\s\S]*?)```/g)) {
    for (const line of (block[1] as string).split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command !== '' && !command.startsWith('#')) commands.push(command);
    }
  }
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  for (const span of prose.matchAll(/`((?:npm|npx|pnpm|node|pex)(?: [^`]*)?)`/g)) {
    commands.push(span[1] as string);
  }
  return commands;
}

const documented = new Map<string, string[]>();
for (const file of documentedFiles()) {
  for (const command of extractCommands(readFileSync(join(repoRoot, file), 'utf8'))) {
    documented.set(command, [...(documented.get(command) ?? []), file]);
  }
}
const known = new Map(COMMANDS);

test('every documented command is run here or says why not', () => {
  const unknown = [...documented].filter(([command]) => !known.has(command));
  expect(unknown.map(([command, files]) => `${command}   (${files.join(', ')})`)).toEqual([]);
});

test('every command listed here is still documented', () => {
  expect(
    COMMANDS.map(([command]) => command).filter((command) => !documented.has(command)),
  ).toEqual([]);
});

test('every npm script the documents name exists', () => {
  const { scripts } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const named = [...documented.keys()].flatMap((command) =>
    [...command.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1] as string),
  );
  expect(named.length).toBeGreaterThan(5);
  expect(named.filter((name) => !(name in scripts))).toEqual([]);
});

test('package READMEs link nothing outside their package by a relative path (npm tarballs)', () => {
  const outside = documentedFiles()
    .filter((file) => /^packages\/[^/]+\/README\.md$/.test(file))
    .flatMap((file) =>
      [...readFileSync(join(repoRoot, file), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1] as string)
        .filter((target) => !/^(https?:|mailto:|#)/.test(target))
        .filter((target) => target.startsWith('/') || target.split('/').includes('..'))
        .map((target) => `${file}: ${target}`),
    );
  expect(outside).toEqual([]);
});

/** What runs: the documented commands that are still documented, with their shell command. */
const toRun = COMMANDS.flatMap(([command, check]) =>
  'run' in check && documented.has(command)
    ? [{ command, shell: check.run === '' ? command : check.run, timeoutS: check.timeoutS ?? 60 }]
    : [],
);

describe('documented commands, in a fresh copy of the working tree', () => {
  let copy = '';

  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), 'pex-documented-'));
    // Tracked and untracked files that git does not ignore: no node_modules, dist or caches.
    const files = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    for (const file of files.split('\0')) {
      const from = join(repoRoot, file);
      if (file === '' || !existsSync(from) || !statSync(from).isFile()) continue;
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(from, join(copy, file));
    }
  });

  afterAll(() => {
    if (copy !== '') rmSync(copy, { recursive: true, force: true });
  });

  test('the copy starts without node_modules or any dist', () => {
    expect(existsSync(join(copy, 'node_modules'))).toBe(false);
    expect(existsSync(join(copy, 'packages/cli/dist'))).toBe(false);
    expect(toRun.map((r) => r.command)).toContain('npm run build');
  });

  for (const { command, shell, timeoutS } of toRun) {
    test(
      command,
      async () => {
        const result = await runInCopy(copy, shell, timeoutS * 1000);
        // On failure the diff shows the command, its exit code and the end of its output.
        const outcome =
          result.code === 0 ? 'exit 0' : `exit ${result.code}: ${shell}\n${result.output}`;
        expect(outcome).toBe('exit 0');
      },
      timeoutS * 1000 + 10_000,
    );
  }
});

/** Runs `shell` with bash in `cwd`, `pex` being the built CLI; resolves with the exit code. */
function runInCopy(
  cwd: string,
  shell: string,
  timeoutMs: number,
): Promise<{ code: number | string; output: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Nothing of the jest run that spawned this one: npm's own variables, jest's, NODE_OPTIONS.
    if (/^(npm_|JEST_)/i.test(key) || key === 'NODE_OPTIONS' || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  env.TURBO_CACHE_DIR = join(repoRoot, '.turbo', 'cache');
  const script = `pex() { node packages/cli/dist/bin.js "$@"; }\n${shell}`;
  return new Promise((resolve) => {
    const child = spawn('bash', ['-o', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      // The whole process group: npm, bash, pnpm, turbo and what they started.
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? `killed by ${signal} after ${timeoutMs} ms`, output });
    });
  });
}
