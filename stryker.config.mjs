// Mutation testing of @pex/core and @pex/events (`npm run mutate`): StrykerJS changes the
// library source one mutant at a time and runs the jest tests of those two packages against
// each; a mutant no test notices is a gap in the tests. Scores, run times and the surviving
// mutants are recorded in docs/quality.md. It takes far longer than CI can give it: run by hand.
//
// One package, with its own tests only: `PEX_MUTATE=core npm run mutate` (or `events`).
// One file, with the tests that matter to it (each mutant then loads only those test files):
// `PEX_MUTATE_TESTS=packages/core/test/inbound-view.test.ts PEX_MUTATE=core npm run mutate --
// --mutate packages/core/src/inbound-view.ts`. See docs/quality.md for how long each takes.

import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ts = require('typescript');

// Read by Stryker alone, never by a turbo task.
const { PEX_MUTATE, PEX_MUTATE_TESTS } = process.env;
const PACKAGES = (PEX_MUTATE ?? 'core,events').split(',');

/**
 * True if `file` has no code of its own once its types are gone: an entry of re-exports
 * (index.ts, internal.ts, codec.ts) or a file of types only. Worked out at each run, so that a
 * file renamed or split is still left out.
 */
function hasNothingToMutate(file) {
  const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      removeComments: true,
    },
  });
  return outputText
    .split('\n')
    .map((line) => line.trim())
    .every(
      (line) =>
        line === '' || /^export \{\s*\};?$/.test(line) || /^(import|export) .* from /.test(line),
    );
}

const notMutated = PACKAGES.flatMap((name) =>
  readdirSync(`packages/${name}/src`)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .map((file) => `packages/${name}/src/${file}`)
    .filter(hasNothingToMutate)
    .map((file) => `!${file}`),
);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'pnpm',
  testRunner: 'jest',
  // By path: with pnpm's strict node_modules, Stryker's default plugin search (beside its own
  // package) does not see the jest runner.
  plugins: [fileURLToPath(import.meta.resolve('@stryker-mutator/jest-runner'))],
  // Jest runs the tests as ES modules (see jest.config.js).
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.js',
    // The root configuration, limited to the tests of the mutated packages.
    config: {
      testMatch:
        PEX_MUTATE_TESTS === undefined
          ? PACKAGES.map((name) => `<rootDir>/packages/${name}/test/**/*.test.ts`)
          : PEX_MUTATE_TESTS.split(',').map((glob) => `<rootDir>/${glob}`),
    },
    enableFindRelatedTests: false,
  },
  mutate: [...PACKAGES.map((name) => `packages/${name}/src/**/*.ts`), ...notMutated],
  // Per test works with jest's ES modules: each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  // A static mutant (module-level: defaults, tables) is reached while modules load, so it would
  // run every test: one such mutant cost as much as a hundred others. Left out of the score.
  ignoreStatic: true,
  concurrency: 2,
  // A mutant that makes a loop endless is stopped this long after the normal run time. Jest
  // loads every test file at each run, even those with no test for the mutant: several seconds
  // with all the tests of a package, which this must cover, or mutants are wrongly timed out.
  timeoutMS: PEX_MUTATE_TESTS === undefined ? 15_000 : 5_000,
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  // What the sandbox needs no copy of. The built dist/ stays: a test of @pex/events loads it in
  // a child process (that test cannot see a mutant, only pass).
  ignorePatterns: ['docs', 'examples', 'reports', 'coverage', '.turbo', '.ci'],
};
