// One libtorrent harness per describe block: started before its tests, closed after them (and
// checked gone), with what each test opens closed after that test.
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import { isProcessAlive } from '@pex/test-support';
import {
  type HarnessSession,
  type LibtorrentHarness,
  type LibtorrentHarnessOptions,
  startLibtorrentHarness,
} from '../libtorrent/harness.js';
import { type OpenOurWireOptions, type OurWire, openOurWire } from './our-wire.js';
import { type HandshakeListener, listenForHandshakes } from './wire.js';

export interface HarnessFixture {
  /**
   * The running harness.
   * @throws Error when read before the block's `beforeAll` has started it.
   */
  readonly harness: LibtorrentHarness;
  /**
   * `harness.peers[index]`.
   * @throws RangeError when the harness has no such session.
   */
  session(index: number): HarnessSession;
  /** Closes `x` after the current test; what was tracked last is closed first. */
  track<T extends { close(): unknown }>(x: T): T;
  /** Runs `cleanup` after the current test, in the same last-first order as `track`. */
  defer(cleanup: () => unknown): void;
  /**
   * Opens our wire to harness session `to` from `localAddress` (default 127.0.0.1); closed
   * after the test.
   * @throws Error as `openOurWire` does.
   */
  openOurWireTo(
    to: HarnessSession,
    options?: Pick<OpenOurWireOptions, 'pex'> & { localAddress?: string },
  ): Promise<OurWire>;
  /**
   * `count` handshake listeners on `host`, each on a free port; closed after the test.
   * @throws Error when the address cannot be bound.
   */
  listenForHandshakesOn(host: string, count: number): Promise<HandshakeListener[]>;
}

/**
 * Registers the hooks of a describe block that shares one harness: `beforeAll` starts it with
 * `options` and awaits `ready` (within `timeoutMs`), `afterEach` runs the test's cleanups and
 * `afterAll` closes the harness and expects its process gone. The harness is closed even when
 * `ready` fails.
 */
export function useHarness(
  options: LibtorrentHarnessOptions,
  ready: (harness: LibtorrentHarness) => Promise<void>,
  timeoutMs: number,
): HarnessFixture {
  let started: LibtorrentHarness | undefined;
  const cleanups: (() => unknown)[] = [];

  beforeAll(async () => {
    started = await startLibtorrentHarness(options);
    await ready(started);
  }, timeoutMs);

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    if (started === undefined) return;
    const { pid } = started;
    await started.close();
    expect(isProcessAlive(pid)).toBe(false);
  });

  const fixture: HarnessFixture = {
    get harness() {
      if (started === undefined) throw new Error('the libtorrent harness has not started');
      return started;
    },
    session(index) {
      const { peers } = fixture.harness;
      const found = peers[index];
      if (found === undefined) {
        throw new RangeError(`"index" expected 0..${peers.length - 1}, got ${index}`);
      }
      return found;
    },
    track(x) {
      cleanups.push(() => x.close());
      return x;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
    async openOurWireTo(to, { localAddress = '127.0.0.1', pex } = {}) {
      return fixture.track(
        await openOurWire({
          host: to.address,
          port: to.port,
          infoHash: fixture.harness.infoHash,
          localAddress,
          ...(pex === undefined ? {} : { pex }),
        }),
      );
    },
    async listenForHandshakesOn(host, count) {
      const listeners: HandshakeListener[] = [];
      for (let i = 0; i < count; i++) {
        listeners.push(fixture.track(await listenForHandshakes({ host })));
      }
      return listeners;
    },
  };
  return fixture;
}
