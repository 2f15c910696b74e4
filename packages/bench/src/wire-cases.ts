import { DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE } from '@pex/core/internal';
import { type UtPexExtension, type UtPexFlags, utPex } from '@pex/wire-adapter';
import { createManualClock, createManualTimers, FakeWire } from './fake-wire.js';
import { type MessageFixture, PEERS_PER_MESSAGE, SEND_FLAGS } from './fixtures.js';
import { allowNextMessage, createIncumbent } from './incumbent.js';
import { type BenchTask, sink } from './task.js';

/** Our adapter as `wire.use(utPex(...))` would install it, on a fake wire. */
function createAdapter(wire: FakeWire, options: Parameters<typeof utPex>[0]): UtPexExtension {
  const Extension = utPex(options);
  return new Extension(wire);
}

/**
 * Messages a source can report before the per-source memory (200 peers) is full: both
 * extensions are reset after that many, so every message brings 50 new peers to both.
 */
export const MESSAGES_PER_SOURCE = DEFAULT_INBOUND_MAX_PEERS_PER_SOURCE / PEERS_PER_MESSAGE;

/**
 * The full receive path: each extension's `onMessage` with a `peer` listener attached, over a
 * pool of distinct 50-peer messages. Ours: decode, rate policy, default peer policy (ipaddr.js
 * ranges), per-source dedup, events, ut_pex-shaped re-emission. Its clock is injected and
 * moves 70 s per message, so the rate policy never refuses one. ut_pex: its rate check (passed,
 * see `allowNextMessage`), bencode + compact2string, dedup, events. Both are reset every
 * `MESSAGES_PER_SOURCE` messages (ours keeps at most 200 peers per source and would stop
 * reporting new ones; ut_pex would grow without bound), so every peer of every message is new.
 */
export function createReceiveTasks(family: 4 | 6, pool: readonly MessageFixture[]): BenchTask[] {
  const suffix = family === 4 ? 'v4' : 'v6';
  const clock = createManualClock();
  const ours = createAdapter(new FakeWire(), { clock, timers: createManualTimers() });
  const theirs = createIncumbent(new FakeWire());
  let oursPeers = 0;
  let theirsPeers = 0;
  ours.on('peer', (peer: string, flags: UtPexFlags) => {
    sink.value += peer.length + (flags.isReachable ? 1 : 0);
    oursPeers++;
  });
  theirs.on('peer', (peer, flags) => {
    sink.value += peer.length + (flags.isReachable ? 1 : 0);
    theirsPeers++;
  });
  return [
    {
      id: `adapter-receive-${suffix}`,
      label: '@pex/wire-adapter onMessage',
      unitsPerIteration: pool.length,
      work: () => oursPeers / PEERS_PER_MESSAGE,
      fn: () => {
        for (let m = 0; m < pool.length; m++) {
          clock.advance(70_000);
          ours.onMessage((pool[m] as MessageFixture).bytes);
          if ((m + 1) % MESSAGES_PER_SOURCE === 0) ours.reset();
        }
      },
      afterEach: () => ours.reset(),
    },
    {
      id: `utpex-receive-${suffix}`,
      label: 'ut_pex onMessage',
      unitsPerIteration: pool.length,
      work: () => theirsPeers / PEERS_PER_MESSAGE,
      fn: () => {
        for (let m = 0; m < pool.length; m++) {
          allowNextMessage(theirs);
          theirs.onMessage((pool[m] as MessageFixture).bytes);
          if ((m + 1) % MESSAGES_PER_SOURCE === 0) theirs.reset();
        }
      },
      afterEach: () => theirs.reset(),
    },
  ];
}

/**
 * The send path, from `addPeer` to bytes handed to the wire: per pool entry, 50 `addPeer`
 * calls then one message (50 added), then 50 `dropPeer` calls and one message (50 dropped),
 * so the set of advertised peers stays bounded. Ours: the session's timer (injected) fires
 * 70 s later on the injected clock: tracker, `encodePexMessage`, `wire.extended`. ut_pex:
 * `_sendMessage()`, whose dictionary the fake wire bencodes as bittorrent-protocol does.
 */
export function createSendTasks(pool: readonly MessageFixture[]): BenchTask[] {
  const clock = createManualClock();
  const timers = createManualTimers();
  const oursWire = new FakeWire();
  const ours = createAdapter(oursWire, { clock, timers });
  ours.onExtendedHandshake({ m: { ut_pex: 1 } });
  ours.start();
  const theirsWire = new FakeWire();
  const theirs = createIncumbent(theirsWire);
  return [
    {
      id: 'adapter-send-v4',
      label: '@pex/wire-adapter addPeer/dropPeer + send',
      unitsPerIteration: 2 * pool.length,
      work: () => oursWire.sentMessages,
      fn: () => {
        for (let m = 0; m < pool.length; m++) {
          const texts = (pool[m] as MessageFixture).texts;
          for (let i = 0; i < texts.length; i++) ours.addPeer(texts[i] as string, SEND_FLAGS);
          clock.advance(70_000);
          timers.fire();
          for (let i = 0; i < texts.length; i++) ours.dropPeer(texts[i] as string);
          clock.advance(70_000);
          timers.fire();
        }
        sink.value += oursWire.sentBytes;
      },
    },
    {
      id: 'utpex-send-v4',
      label: 'ut_pex addPeer/dropPeer + _sendMessage',
      unitsPerIteration: 2 * pool.length,
      work: () => theirsWire.sentMessages,
      fn: () => {
        for (let m = 0; m < pool.length; m++) {
          const texts = (pool[m] as MessageFixture).texts;
          for (let i = 0; i < texts.length; i++) theirs.addPeer(texts[i] as string, SEND_FLAGS);
          theirs._sendMessage();
          for (let i = 0; i < texts.length; i++) theirs.dropPeer(texts[i] as string);
          theirs._sendMessage();
        }
        sink.value += theirsWire.sentBytes;
      },
    },
  ];
}
