import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { build } from 'esbuild';
import { type Browser, chromium } from 'playwright-core';
import type { BrowserResults } from './browser/page.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumAvailable } from './support/chromium.js';

// @pex/core, @pex/arbitraries and @pex/events, as published (their dist), bundled for the
// browser with no Node shims and run in headless Chromium: golden messages decode, two sessions
// back to back learn each other's peers, fast-check properties hold.

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const run = chromiumAvailable() ? describe : describe.skip;

async function bundlePage(): Promise<string> {
  const result = await build({
    entryPoints: [join(here, 'browser/page.ts')],
    absWorkingDir: packageRoot,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error('esbuild produced no output');
  return output.text;
}

run('in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let results: BrowserResults;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const script = await bundlePage();
    const html =
      '<!doctype html><meta charset="utf-8"><title>pex</title><link rel="icon" href="data:,"><script type="module" src="/page.js"></script>';
    server = createServer((request, response) => {
      if (request.url === '/page.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else if (request.url === '/') {
        response.writeHead(200, { 'content-type': 'text/html' }).end(html);
      } else {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const page = await browser.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => window.__PEX_RESULTS__?.done === true, null, {
      timeout: 20_000,
    });
    results = (await page.evaluate(() => window.__PEX_RESULTS__)) as BrowserResults;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  test('the page ran in Chromium without errors, with no process or Buffer global', () => {
    expect(results.environment.userAgent).toMatch(/Chrome\//);
    expect(results.environment.hasProcess).toBe(false);
    expect(results.environment.hasBuffer).toBe(false);
    expect(pageErrors).toEqual([]);
    expect(results.errors).toEqual([]);
  });

  test('every golden message decodes (and the canonical ones re-encode) in the browser', () => {
    expect(results.golden.length).toBeGreaterThanOrEqual(5);
    expect(results.golden.filter((check) => !check.ok)).toEqual([]);
  });

  test('two sessions back to back learn each other peers', () => {
    const { sessions } = results;
    expect(sessions.problems).toEqual([]);
    expect(sessions.learned[0]).toEqual(['5.6.7.8:6881', '[2606:4700::2222]:51414']);
    expect(sessions.learned[1]).toEqual([
      '1.2.3.4:6881',
      '1.2.3.5:6882',
      '[2606:4700::1111]:51413',
    ]);
    expect(sessions.ok).toBe(true);
  });

  test('fast-check properties from @pex/arbitraries hold in the browser', () => {
    expect(results.properties.map(({ name, ok }) => ({ name, ok }))).toEqual([
      { name: 'decode(encode(message)) equals message', ok: true },
      { name: 'a malformed payload gives PexDecodeError with its reason', ok: true },
    ]);
  });
});
