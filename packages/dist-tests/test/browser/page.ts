// The page the browser test opens. esbuild bundles it from the packages' published entries
// (their dist, through package.json `exports`), with no Node shims: if @pex/core, @pex/arbitraries
// or @pex/events needed Buffer, process or a node: module, the bundle or the page would fail.
// Results go to `window.__PEX_RESULTS__` for the jest test to read.
import { arbitraryMalformedPexPayload, arbitraryPexMessage } from '@pex/arbitraries';
import {
  type CompactPeer,
  decodePexMessage,
  encodePexMessage,
  isPexDecodeError,
  type PexMessage,
} from '@pex/core';
import { createPexSession, type PexSession } from '@pex/events';
import { stringifyPeerAddress } from '@pex/events/internal';
import fc from 'fast-check';
import { GOLDEN_MESSAGES } from '../../../core/test/fixtures/golden-messages.js';

export interface BrowserResults {
  done: boolean;
  environment: { userAgent: string; hasProcess: boolean; hasBuffer: boolean };
  golden: { name: string; ok: boolean; detail?: string }[];
  sessions: { ok: boolean; elapsedMs: number; learned: [string[], string[]]; problems: string[] };
  properties: { name: string; ok: boolean; numRuns: number; detail?: string }[];
  errors: string[];
}

declare global {
  interface Window {
    __PEX_RESULTS__?: BrowserResults;
  }
}

type PlainPeer = { address: number[]; port: number; flags?: number };
const plainPeer = (peer: CompactPeer): PlainPeer =>
  peer.flags === undefined
    ? { address: Array.from(peer.address), port: peer.port }
    : { address: Array.from(peer.address), port: peer.port, flags: peer.flags };
const plainMessage = (message: PexMessage) => ({
  added: message.added.map(plainPeer),
  added6: message.added6.map(plainPeer),
  dropped: message.dropped.map(plainPeer),
  dropped6: message.dropped6.map(plainPeer),
});
const toMessage = (plain: ReturnType<typeof plainMessage>): PexMessage => {
  const peer = (p: PlainPeer): CompactPeer =>
    p.flags === undefined
      ? { address: Uint8Array.from(p.address), port: p.port }
      : { address: Uint8Array.from(p.address), port: p.port, flags: p.flags };
  return {
    added: plain.added.map(peer),
    added6: plain.added6.map(peer),
    dropped: plain.dropped.map(peer),
    dropped6: plain.dropped6.map(peer),
  };
};
const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

function checkGoldenMessages(): BrowserResults['golden'] {
  return GOLDEN_MESSAGES.map(({ name, bytes, decoded, canonical }) => {
    try {
      const got = JSON.stringify(plainMessage(decodePexMessage(bytes)));
      const want = JSON.stringify(decoded);
      if (got !== want) return { name, ok: false, detail: `decoded ${got}, expected ${want}` };
      if (canonical && !sameBytes(encodePexMessage(toMessage(decoded)), bytes)) {
        return { name, ok: false, detail: 'encoding the decoded message gave other bytes' };
      }
      return { name, ok: true };
    } catch (error) {
      return { name, ok: false, detail: String(error) };
    }
  });
}

// Public unicast addresses: the default peer policy refuses private, loopback and documentation
// ranges from a public sender.
const SIDES = [
  {
    self: '93.184.216.34:6881',
    peers: ['1.2.3.4:6881', '1.2.3.5:6882', '[2606:4700::1111]:51413'],
  },
  { self: '93.184.216.35:6881', peers: ['5.6.7.8:6881', '[2606:4700::2222]:51414'] },
] as const;

/** Two sessions back to back: each one's `send` is the other's `receive`, a task later. */
async function runTwoSessions(): Promise<BrowserResults['sessions']> {
  const started = performance.now();
  const problems: string[] = [];
  const learned: [Set<string>, Set<string>] = [new Set(), new Set()];
  const sessions: PexSession[] = [];
  for (const [index, side] of SIDES.entries()) {
    const other = SIDES[1 - index] as (typeof SIDES)[number];
    const session = createPexSession({
      send: (bytes) => {
        const copy = bytes.slice();
        setTimeout(() => sessions[1 - index]?.receive(copy), 1);
      },
      remoteAddress: other.self,
      localAddresses: [side.self],
      intervalMs: 200,
      firstMessageDelayMs: 20,
    });
    session.on('peer', (peer) => learned[index]?.add(stringifyPeerAddress(peer)));
    for (const name of ['invalid', 'violation', 'warning'] as const) {
      session.on(name, (payload: unknown) =>
        problems.push(`${side.self} ${name} ${String(payload)}`),
      );
    }
    for (const peer of side.peers) session.addPeer(peer, { reachable: true });
    sessions.push(session);
  }
  for (const session of sessions) {
    session.start();
    session.setRemoteSupportsPex();
  }
  const converged = () =>
    learned.every((known, index) => SIDES[1 - index]?.peers.every((peer) => known.has(peer)));
  while (!converged() && performance.now() - started < 5_000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const session of sessions) session.destroy();
  return {
    ok: converged() && problems.length === 0,
    elapsedMs: Math.round(performance.now() - started),
    learned: [[...learned[0]].sort(), [...learned[1]].sort()],
    problems,
  };
}

function checkProperties(): BrowserResults['properties'] {
  const numRuns = 200;
  const run = <Ts>(name: string, property: fc.IProperty<Ts>) => {
    try {
      fc.assert(property, { numRuns, seed: 42 });
      return { name, ok: true, numRuns };
    } catch (error) {
      return { name, ok: false, numRuns, detail: String(error) };
    }
  };
  return [
    run(
      'decode(encode(message)) equals message',
      fc.property(arbitraryPexMessage(), (message) => {
        const again = decodePexMessage(encodePexMessage(message));
        return JSON.stringify(plainMessage(again)) === JSON.stringify(plainMessage(message));
      }),
    ),
    run(
      'a malformed payload gives PexDecodeError with its reason',
      fc.property(arbitraryMalformedPexPayload(), ({ bytes, reason }) => {
        try {
          decodePexMessage(bytes);
          return false;
        } catch (error) {
          return isPexDecodeError(error) && error.reason === reason;
        }
      }),
    ),
  ];
}

async function main(): Promise<void> {
  const results: BrowserResults = {
    done: false,
    environment: {
      userAgent: navigator.userAgent,
      hasProcess: 'process' in globalThis,
      hasBuffer: 'Buffer' in globalThis,
    },
    golden: [],
    sessions: { ok: false, elapsedMs: 0, learned: [[], []], problems: [] },
    properties: [],
    errors: [],
  };
  try {
    results.golden = checkGoldenMessages();
    results.sessions = await runTwoSessions();
    results.properties = checkProperties();
  } catch (error) {
    results.errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
  results.done = true;
  window.__PEX_RESULTS__ = results;
  document.title = 'done';
}

void main();
