// Runs one ring (ring.mjs) and prints its record as the last line of stdout, as JSON.
// Usage: node ring-main.mjs '{"impl":"alias","mode":"converge","leave":true}'
// The exit code is 0 whenever the ring ran; the caller judges the record.

import { runRing } from './ring.mjs';

const options = JSON.parse(process.argv[2] ?? '{}');
const result = await runRing(options);
process.stdout.write(`${JSON.stringify(result)}\n`);
