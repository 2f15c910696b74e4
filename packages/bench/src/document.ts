import {
  decodeCells,
  formatMachine,
  formatMarkdownCells,
  formatMarkdownTable,
  type MachineInfo,
  scaleCells,
} from './report.js';
import type { SuiteResult } from './suite.js';

/** The seedbox chart, in docs/ beside benchmarks.md. */
export const SEEDBOX_SVG = 'benchmarks-seedbox.svg';

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
the O(1) rows, where it is our time divided by the reference (lower is better). Times are per unit
("per"): per message, per wire message (one wire's message of a round), per join+leave of one peer, or
heap bytes per connection. Each time is the
median over ${s.rounds} rounds of tinybench's mean (${s.timeMs} ms per task per round, ${s.warmupMs} ms warm-up,
tasks in alternating order; decode tasks ${s.decodeTimeMs} ms). The seedbox rows are CPU time and heap readings of
one run per size (see below), not tinybench.

### Decode, every variant

${formatMarkdownCells(decodeCells(result))}

### Seedbox: ${s.scale.map((p) => `${(p.torrents * p.wiresPerTorrent).toLocaleString('en-US')}`).join(', ')} wires

${formatMarkdownCells(scaleCells(result.scale))}

![CPU per PEX minute and heap against the number of wires, ours and ut_pex's](${SEEDBOX_SVG})

## How each case is measured

- **Messages** (receive, encode and send paths) come from a pool of ${s.poolSize} distinct messages per family, 50 added
  peers each, every peer different (public unicast addresses, so our default peer policy accepts them all); one timed
  call goes through the whole pool, so tinybench's own per-call cost is negligible, and the result is divided by the
  pool size. Flags are random bytes 0..31: about half the peers carry 0x08 (holepunch), half 0x10 (reachable).
- **decode, every variant** (${result.decode.length} of them, all in this one process, one after the other): IPv4 and IPv6; pools of
  ${s.decodePoolSizes.join(' and ')} distinct 50-peer messages; public addresses or private ones (10.0.0.0/8 and
  192.168.0.0/16, fd00::/8); a consumer that reads only each peer's port and flag byte, or one that also reads every
  address byte. Three ways per variant, each handing its peers to the same consumer: core \`decodePexMessage\`; the
  incumbent's codec path as ut_pex's \`onMessage\` runs it (\`bencode.decode\`, \`Buffer.from\` + \`compact2string.multi\` /
  \`multi6\`, the flag byte read per peer; its consumer reads the \`"ip:port"\` text); and the **floor**, which builds the
  objects core returns by hand: per peer \`{ address: new Uint8Array(4 or 16) }\` filled byte by byte from the list,
  \`port\`, \`flags\`, 50 of them in an array, from the list's known offset, with no parsing or checks. The main table
  gives the worst and the best variant for each target.
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
  cursor's \`nextMessage\` and \`encode\` (the bytes the session sends), \`timeline.disconnected\`, the same again.
  ut_pex: \`addPeer\` on every wire, \`_sendMessage\` on every wire, \`dropPeer\` on every wire, \`_sendMessage\` on every
  wire (its fake wire keeps the dictionary: no bencoding on that side). Times are per wire message (2W per join+leave).
  Our cursors stand at the same place in the log with nothing of their own to tell, so one message and one encoding
  serve all of them; ut_pex builds one per wire. **per-wire message O(1)**: our time per wire message at the largest W
  against the smallest.
- **swarm, event**: what a join and a leave cost when they happen; the messages are built later, when each wire's
  interval comes round (both libraries work that way). Ours: \`timeline.connected\` + \`timeline.disconnected\`.
  ut_pex: \`addPeer\` + \`dropPeer\` on every wire. Untimed after each call, our cursors catch up and ut_pex's pending
  maps are emptied. **O(1)**: our per-event time at the largest W against the smallest.
- **memory**: heap plus array buffers after a full GC (\`--expose-gc\`), before and after creating ${s.memoryConnections} connections
  (median of at least 3 rounds, the sides in alternating order, each build with its own timers; a reading at or below zero, which only memory let go from elsewhere during the build gives, is taken again), each having received
  4 distinct 50-peer messages (200 learned peers). **utPex()**: installed as \`wire.use(utPex())\` shows (a new
  constructor per wire, over one shared prototype), 200 peers to advertise given with \`addPeer\` (not yet sent; the
  strings are shared by all connections). **swarm helper**: one \`createPexSwarm()\` for all ${s.memoryConnections} connections (one
  torrent), each a fake wire given to \`addWire\` as outgoing, so the ${s.memoryConnections} remotes are the peers to advertise, held
  once in the swarm timeline; the helper's own share is divided among the connections. Not yet sent on either side.
  **ut_pex**: \`wire.use(utPex())\`, the same 200 learned and 200 \`addPeer\` per connection (what an application must
  do with ut_pex to advertise a torrent's 200 connections). The rows "no peer flagged 0x08" are ours again with the
  holepunch bit cleared in every received flag byte (ut_pex's number is the same reading as above).
- **seedbox** (\`npm run bench -- --scale\` runs only this case, at every size, and writes nothing): T torrents x 100
  wires in this one process, each wire a fake bittorrent-protocol wire (\`ProtocolWire\`: \`use\`, \`_onExtended\`
  dispatching the extended handshake and ut_pex payloads, \`extended\`, \`close\`; it skips sockets, the BitTorrent
  handshake, message framing, every other message type and the real wire's own buffers and state). Everything runs on
  virtual time (a timer heap; one simulated PEX minute takes as long as its work): our sessions get its \`clock\` and
  \`timers\`; for ut_pex the global \`setInterval\`, \`clearInterval\`, \`setTimeout\`, \`clearTimeout\` and \`Date.now\` are
  replaced by the virtual ones while its side runs, so its own 65 s interval sends and its own 60 s rate check runs.
  The connections open over the first simulated minute; from then on 1 % of them are replaced per simulated minute
  (evenly spread: the wire closes, a new remote connects to the same torrent). Every remote sends one message per
  simulated minute: first 50 peers, then one peer added and one dropped (its window over 1024 public peers moves by
  one); the remote's extended handshake comes first. **Same application code** on both sides: a \`peer\` and a
  \`dropped\` listener that count. Ours: one \`createPexSwarm()\` per torrent, \`addWire\` per connection, \`close\` on the
  wire. ut_pex: \`wire.use(utPex())\`, \`start()\`, and the code an application must add for the same behaviour:
  \`addPeer\` of the new remote on every other wire of the torrent and of every other remote on the new wire, and
  \`dropPeer\` on every other wire when one closes. ${s.scale[0]?.warmupMinutes ?? 0} simulated minutes of warm-up, then ${s.scale[0]?.measuredMinutes ?? 0} measured:
  **CPU** is the process's user + system time (\`process.cpuUsage\`, garbage collection included) per simulated
  minute, as a share of one core for one minute of real time; **heap** is heap plus array buffers after a full GC at
  the end, less that of the same number of bare fake wires; **longest task** is the longest single callback (a timer,
  one delivered message, one churn step) during the measured minutes: how long it would hold the event loop. Each size
  runs once, the two sides one after the other (alternating which goes first).

## What limits the missed targets (profiles: \`node --cpu-prof\`, heap readings of the memory case)

- **memory per connection and seedbox heap**: what a connection holds, read from heap snapshots of the swarm case:
  the inbound view's key table of the 200 peers its remote reported (about 3 KiB: 256 slots of 8-byte keys and a
  512-slot 16-bit index, the table's growth by doubling), the session, extension and counters (about 0.5 KiB of
  objects), the fake wire's state after the handshakes, the live-flags watch and the helper's per-wire closures. The
  swarm cursor is a class of about 140 bytes whose collections are made only when needed, and the helper hears each
  session through one observer instead of a session emitter with eight listeners per wire. The BEP 55 relay index is
  kept only when asked for (\`relays: true\`, on a session or a swarm): it cost about 1.1 KiB per connection here,
  with half the reported peers flagged 0x08; the "no peer flagged 0x08" rows show that the flag now changes nothing. The key table alone is three quarters of the 4 KiB target:
  meeting it needs a per-source memory of reported peers smaller than 200 entries (ut_pex keeps every reported peer,
  without a bound, as an object keyed by its \`"ip:port"\` text), which is a behaviour change, not made.
- **decode against ut_pex (IPv4)**: a decoded peer is plain data with its own address, so core makes an object and a
  new 4-byte \`Uint8Array\` per peer, and that allocation is most of its time. The floor, which does nothing but
  build those objects, is itself about as far from ut_pex's codec path as ours (column "ut_pex / floor"): where it is
  below 10x, no decoder that returns objects of this shape can reach 10x. IPv6 is far above the target because
  ut_pex's \`compact2string.multi6\` is slow.
- **decode against the object floor**: core checks the whole message (bencode structure, keys, lengths, duplicates,
  the four lists) and builds the message object around the lists; the floor only copies bytes at a known offset. Both
  are allocation-bound, so where garbage collection falls moves them by tens of per cent at this machine's load (a
  floor slower than ours in some variants is that noise); the worst variant is what the target row holds.
- **seedbox heap**: what a wire holds on our side, from heap snapshots of this workload at 1,000 wires: the key table of the 50-odd peers its remote reported (0.75 KiB), the session, extension, counters
  and options (about 1 KiB of objects), the helper's per-wire entry and closures, the live-flags watch and the
  cursor (about 0.3 KiB together), and the fake wire's own state after the handshakes and the listeners the
  extension puts on it. An eighth of ut_pex's would be about 1.3 KiB per wire, less than one session and its
  per-source memory: it is not reachable while every wire keeps a session that checks what its remote reports
  (ut_pex keeps, per wire, the same reported peers without a bound, plus the peers to advertise, as text).
- **seedbox CPU**: CPU per PEX minute grows about linearly with the wires on both sides: per wire and minute it is
  one received message through the receive path below (decode, peer policy, events), one message sent from the
  swarm cursor (shared with the other cursors at its place when there is one), and garbage collection (process CPU
  includes the collector's threads). The longest task includes garbage-collection pauses, which grow with the heap.
- **receive path**: decoding is a small part of it. Per peer the session builds the event object, the address text
  and the \`"ip:port"\` string, runs the peer policy, and dispatches two events
  (session, then the ut_pex-style event); the inbound view builds a key table per received message. ut_pex does less
  per peer: no validation of the whole message, no policy, no per-source memory bound, one event.
`;
}
