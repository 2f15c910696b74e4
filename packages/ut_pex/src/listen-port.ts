/**
 * Our listen port as an incoming connection shows it: the local port of the socket the wire is
 * piped to. WebTorrent pipes socket -> throttle -> wire -> throttle -> socket with streamx, which
 * keeps each stream's destination in `_readableState.pipeTo`; the walk follows at most a few
 * of those to an object with a numeric `localPort`. Undefined when nothing like that is found
 * (another host, another stream library): the app can pass `listenPort` instead.
 * Only meaningful for incoming connections: an outgoing one's local port is an ephemeral port.
 * @throws never.
 */
export function findIncomingListenPort(wire: object): number | undefined {
  let stream: unknown = wire;
  for (let hop = 0; hop < MAX_PIPE_HOPS; hop++) {
    const next = (stream as { _readableState?: { pipeTo?: unknown } } | null)?._readableState
      ?.pipeTo;
    if (typeof next !== 'object' || next === null) return undefined;
    const port = (next as { localPort?: unknown }).localPort;
    if (typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535) {
      return port;
    }
    stream = next;
  }
  return undefined;
}

/** How many pipes the walk follows: WebTorrent has one throttle between the wire and the socket. */
const MAX_PIPE_HOPS = 4;
