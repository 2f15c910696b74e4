import { encodePexMessage, type PexMessage, type PexOutbound } from '@pex/core';
import type { PexSessionEvents } from '@pex/events';
import type { PexSessionRelay } from '@pex/events/internal';

/**
 * What a swarm hears of one wire's session: every event, after the extension's own listeners,
 * without a listener (and an emitter) per event and wire. `wantsRefused` says whether `refused`
 * events, which cost something to build, are wanted even when the extension has no listener.
 * @internal
 */
export interface SessionObserver {
  readonly observe: PexSessionRelay;
  readonly wantsRefused: () => boolean;
  /** The wire closed (or finished): called once the session is destroyed. */
  readonly closed: () => void;
}

/**
 * A `PexOutbound` whose source is bound later: an extension is created when the host calls
 * `wire.use()`, before it is known which torrent the wire belongs to; the swarm that takes the
 * wire binds its timeline cursor here, with the observer that hears the wire's session, and may
 * hand the wire to another swarm later. Unbound, it has nothing to say and hears nothing.
 * @internal
 */
export class LateOutbound implements PexOutbound {
  #target: PexOutbound | undefined;
  #observer: SessionObserver | undefined;

  /** True once a source is bound. */
  get bound(): boolean {
    return this.#target !== undefined;
  }

  /**
   * Binds `target` (replacing any earlier one; the next message is built from it) and the
   * `observer` of the session's events.
   */
  bind(target: PexOutbound | undefined, observer?: SessionObserver): void {
    this.#target = target;
    this.#observer = observer;
  }

  /** Hands a session event to the bound observer. */
  observe<K extends keyof PexSessionEvents>(
    event: K,
    payload: Parameters<PexSessionEvents[K]>[0],
  ): void {
    this.#observer?.observe(event, payload);
  }

  /** Tells the bound observer that the wire closed. */
  closed(): void {
    this.#observer?.closed();
  }

  /** True when the bound observer wants `refused` events. */
  wantsRefused(): boolean {
    return this.#observer?.wantsRefused() === true;
  }

  nextMessage(now: number): PexMessage | undefined {
    return this.#target?.nextMessage(now);
  }

  nextMessageAt(): number | undefined {
    return this.#target?.nextMessageAt();
  }

  reset(): void {
    this.#target?.reset();
  }

  encode(message: PexMessage): Uint8Array {
    const target = this.#target;
    return target?.encode === undefined ? encodePexMessage(message) : target.encode(message);
  }
}
