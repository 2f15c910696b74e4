import { encodePexMessage, type PexMessage, type PexOutbound } from '@pex/core';

/**
 * A `PexOutbound` whose source is bound later: an extension is created when the host calls
 * `wire.use()`, before it is known which torrent the wire belongs to; the swarm that takes the
 * wire binds its timeline cursor here, and may hand the wire to another swarm later. Unbound, it
 * has nothing to say.
 * @internal
 */
export class LateOutbound implements PexOutbound {
  #target: PexOutbound | undefined;

  /** True once a source is bound. */
  get bound(): boolean {
    return this.#target !== undefined;
  }

  /** Binds `target` (replacing any earlier one); the next message is built from it. */
  bind(target: PexOutbound | undefined): void {
    this.#target = target;
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
