import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

// The examples run as a user would run them (`node examples/<name>.mjs`), importing the built
// packages by name through the @pex/examples workspace package. Each must exit 0 by itself.

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

function runExample(name: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join('examples', name)],
      { cwd: repoRoot, timeout: 20_000, env: { ...process.env, NODE_OPTIONS: '' } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('examples', () => {
  test('require-from-commonjs.cjs: @pex/core, @pex/events and @pex/wire-adapter load with require()', async () => {
    const { code, stdout, stderr } = await runExample('require-from-commonjs.cjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('decoded 8.8.4.4:6881 flags 16');
    expect(stdout).toContain('session learned 8.8.4.4:6881');
    expect(stdout).toContain('default export is utPex: true');
    expect(stdout).toMatch(/^ok: required from CommonJS$/m);
  });

  test('bittorrent-swarm.mjs: three wires over TCP learn each other through the hub', async () => {
    const { code, stdout, stderr } = await runExample('bittorrent-swarm.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    for (const [self, others] of [
      [7001, [7002, 7003]],
      [7002, [7001, 7003]],
      [7003, [7001, 7002]],
    ] as const) {
      for (const other of others) {
        expect(stdout).toContain(`client :${self} learned 127.0.0.1:${other}`);
      }
    }
    expect(stdout).toMatch(/^ok: each of 3 clients learned the other 2$/m);
  });

  test('custom-engine.mjs: core with a fake clock sends two messages and decodes them', async () => {
    const { code, stdout, stderr } = await runExample('custom-engine.mjs');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('t=0s remote learns 198.51.100.7:6881 reachable=true utp=true');
    expect(stdout).toContain('t=70s remote forgets 198.51.100.8:6882');
    expect(stdout).toContain('rejected a bad payload: invalid-length');
    expect(stdout).toMatch(/^ok: 2 messages in 3 minutes of engine time$/m);
  });
});
