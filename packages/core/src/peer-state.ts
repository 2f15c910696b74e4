/**
 * One peer's state as a remote sees it: its flag byte while we are connected to it, `undefined`
 * while we are not. The state machines keep a peer as its key plus this state and nothing else:
 * the key already holds the address and port (`peerKeyAddress`, `peerKeyPort`), so the bytes are
 * rebuilt only when a message is built, and no later change to the caller's bytes can alter what
 * we advertise. Two states look the same to a remote exactly when they are `===`.
 * @internal
 */
export type PeerState = number | undefined;
