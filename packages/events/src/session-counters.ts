import type { PexMessage } from '@pex/core';
import type { PexRefusalReason } from './events.js';
import type { PexCounters } from './session-types.js';

/** Every `PexRefusalReason`, in the order `PexCounters.refused` lists them. */
const REFUSAL_REASONS: readonly PexRefusalReason[] = [
  'port-zero',
  'unspecified',
  'multicast',
  'broadcast',
  'reserved',
  'local-from-remote',
  'own-address',
  'policy',
  'source-full',
  'private',
];

/** A session's counters as it updates them; `snapshot()` is what `getCounters()` returns. */
export interface SessionCounters {
  messagesSent: number;
  bytesSent: number;
  addedSent: number;
  droppedSent: number;
  messagesReceived: number;
  bytesReceived: number;
  addedReceived: number;
  droppedReceived: number;
  invalidPayloads: number;
  violations: number;
  /** Counts one message handed to `send`, of `bytes` bytes. */
  countSent(message: PexMessage, bytes: number): void;
  /** Counts one refused peer. */
  countRefused(reason: PexRefusalReason): void;
  /** A copy, plain data. */
  snapshot(): PexCounters;
}

/** Fresh counters, all 0. */
export function createCounters(): SessionCounters {
  return new Counters();
}

class Counters implements SessionCounters {
  messagesSent = 0;
  bytesSent = 0;
  addedSent = 0;
  droppedSent = 0;
  messagesReceived = 0;
  bytesReceived = 0;
  addedReceived = 0;
  droppedReceived = 0;
  invalidPayloads = 0;
  violations = 0;
  /** Refusals by reason; made at the first refusal (most connections never refuse a peer). */
  #refused: Partial<Record<PexRefusalReason, number>> | undefined;

  countSent(message: PexMessage, bytes: number): void {
    this.messagesSent++;
    this.bytesSent += bytes;
    this.addedSent += message.added.length + message.added6.length;
    this.droppedSent += message.dropped.length + message.dropped6.length;
  }

  countRefused(reason: PexRefusalReason): void {
    this.#refused ??= {};
    this.#refused[reason] = (this.#refused[reason] ?? 0) + 1;
  }

  snapshot(): PexCounters {
    const refused = {} as Record<PexRefusalReason, number>;
    for (const reason of REFUSAL_REASONS) refused[reason] = this.#refused?.[reason] ?? 0;
    return {
      messagesSent: this.messagesSent,
      bytesSent: this.bytesSent,
      addedSent: this.addedSent,
      droppedSent: this.droppedSent,
      messagesReceived: this.messagesReceived,
      bytesReceived: this.bytesReceived,
      addedReceived: this.addedReceived,
      droppedReceived: this.droppedReceived,
      invalidPayloads: this.invalidPayloads,
      violations: this.violations,
      refused,
    };
  }
}
