// Prints the one plain closing line CI reads, counted from jest's own JSON results.
// A suite that failed to load counts as one failure, so a broken file cannot hide.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'reports/jest.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  console.error(`no jest results at ${file}: the test runner did not finish`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, 'utf8'));
const broken = results.numRuntimeErrorTestSuites ?? 0;
const passed = results.numPassedTests;
const failed = results.numFailedTests + broken;
const skipped = results.numPendingTests + (results.numTodoTests ?? 0);
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
