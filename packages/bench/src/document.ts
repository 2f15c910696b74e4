import { formatMachine, formatMarkdownTable, type MachineInfo } from './report.js';
import type { SuiteResult } from './suite.js';

/** docs/benchmarks.md: the table, the machine, the versions, and how each case is measured. */
export function formatBenchmarksDocument(result: SuiteResult, machine: MachineInfo): string {
  const s = result.settings;
  return `# Benchmarks: @pex against ut_pex 5.x

Written by \`npm run bench\` (packages/bench); do not edit by hand. Our code and the npm \`ut_pex\` run
side by side in one process, one run; the ratios are what matter, absolute times move with the
machine's load.

## Machine

${formatMachine(machine)}

## Results

${formatMarkdownTable(result)}

"ratio" is the incumbent's time (or heap) divided by ours, except for the rows against the floor and
the O(1) row, where it is our time divided by the reference (lower is better). Times are per unit
("per"): per message, per join+leave of one peer, or heap bytes per connection. Each time is the
median over ${s.rounds} rounds of tinybench's mean (${s.timeMs} ms per task per round, ${s.warmupMs} ms warm-up,
tasks in alternating order).

## How each case is measured

- **Messages** come from a pool of ${s.poolSize} distinct messages per family, 50 added peers each, every peer different (public
  unicast addresses, so our default peer policy accepts them all); one timed call goes through the whole pool, so
  tinybench's own per-call cost is negligible, and the result is divided by the pool size.
- **decode**: core \`decodePexMessage\` reading every peer's port and flag byte, against the incumbent's codec path as
  ut_pex's \`onMessage\` runs it: \`bencode.decode\`, \`Buffer.from\` + \`compact2string.multi\` / \`multi6\`, the flag byte
  read per peer. **floor**: a bare loop adding up every byte of the same messages.
- **receive path**: each extension's \`onMessage\` on a fake wire, with a \`peer\` listener attached. Ours runs on an
  injected clock that moves 70 s per message, so the inbound rate policy never refuses one. ut_pex's rate check uses
  \`Date.now()\` and destroys the wire when two messages arrive within 60 s: before each message its
  \`_lastMessageTimestamp\` is set to 0 (the check runs and passes) and the fake wire's \`destroy\` does nothing. Both
  are \`reset()\` every 4 messages (ours remembers at most 200 peers per source and would stop reporting new ones),
  so every peer of every message is new to both and reaches the listener.
- **encode**: core \`encodePexMessage\` from compact peers, against \`string2compact\` on \`"ip:port"\` strings,
  \`Buffer.from\` for the flags and \`bencode.encode\` of the dictionary ut_pex's \`_sendMessage\` builds (empty lists
  included, as it sends them).
- **send path**: 50 \`addPeer\` calls then one message, 50 \`dropPeer\` calls then one message, per pool entry. Ours:
  the session's injected timer is fired after 70 s of injected clock (tracker, \`encodePexMessage\`,
  \`wire.extended\`). ut_pex: \`_sendMessage()\`, whose dictionary the fake wire bencodes as bittorrent-protocol does.
- **swarm, every wire's message**: W wires that already received their first message (50 peers). One peer joins, every
  wire gets its next message, the peer leaves, every wire gets its next message. Ours: \`timeline.connected\`, each
  cursor's \`nextMessage\`, \`timeline.disconnected\`, each cursor's \`nextMessage\`. ut_pex: \`addPeer\` on every wire,
  \`_sendMessage\` on every wire, \`dropPeer\` on every wire, \`_sendMessage\` on every wire. 2W messages are built per
  unit on both sides, so this cost is linear in W for both.
- **swarm, event**: what a join and a leave cost when they happen; the messages are built later, when each wire's
  interval comes round (both libraries work that way). Ours: \`timeline.connected\` + \`timeline.disconnected\`.
  ut_pex: \`addPeer\` + \`dropPeer\` on every wire. Untimed after each call, our cursors catch up and ut_pex's pending
  maps are emptied. **O(1)**: our per-event time at the largest W against the smallest.
- **memory**: heap plus array buffers after a full GC (\`--expose-gc\`), before and after creating ${s.memoryConnections} connections, each
  installed as \`wire.use(utPex())\` shows (a new constructor per wire, over one shared prototype), holding 200 learned peers (4 received
  messages) and 200 peers to advertise (\`addPeer\`, not yet sent; the strings are shared by all connections).

## What limits the missed targets (profiles: \`node --cpu-prof\`)

- **receive path**: decoding is a few per cent of it. Per peer, the session takes the address text and its
  ipaddr.js range from the key the decoder already holds (ranges derived from ipaddr.js's own tables at load),
  flags are 256 prebuilt frozen objects, and the inbound view reads a message through one shared key table
  (reserved to the message's size) instead of \`Map\`s and a \`Set\` of heap-number keys. What remains per peer,
  about 340 ns, is the event object, the address text, the \`"ip:port"\` string, the peer policy and two emitter
  dispatches (session, then the ut_pex-style event). ut_pex does less per peer: no validation of the whole
  message, no policy, no per-source memory bound, one event. 5x ut_pex for IPv4 would mean about 100 ns per peer
  for all of that, which this design does not reach.
- **swarm, every wire's message**: both sides build 2W messages per join+leave, so no ratio can grow with W and the
  100x target cannot be met in this case. Ours is linear in W: every cursor's position is counted on the log event
  it reads next, so releasing read events costs O(1) per event whatever the number of cursors (\`compact\` is under
  1 % of the profile at W=1000, where it used to scan every cursor each time the oldest moved: O(W^2) per round,
  70 % of the profile), and a cursor's message costs the same at W=100 and at W=1000. What remains is building the
  messages: the message builder's map and lists, and the address bytes rebuilt from the peer keys.
- **memory** (now met): the outbound tracker and the inbound view keep peer keys in a small internal table over
  typed arrays (\`PeerKeyTable\`): IPv4 keys in a \`Float64Array\` (8 bytes, where a \`Map\` or \`Set\` key above 2^31 is
  a 16-byte heap number plus its entry), values in a typed array created only when one is not 0, an open-addressing
  index of two \`Uint16Array\` slots per entry, insertion order kept by dense columns. The tracker keeps one entry per
  peer, its value packing our flag byte, the one its remote was told and a change stamp that orders the pending
  changes (no second table). The heap reading counts \`ArrayBuffer\` bytes too: typed arrays above 64 bytes keep
  their elements outside the V8 heap. Every \`utPex()\` constructor shares one prototype, the session relays its
  events to the extension instead of five listeners and creates its emitter with its first listener. With the swarm
  helper the peers to advertise live once per torrent, in the timeline, not per connection.
`;
}
