// The builder of one outgoing message: a peer fed several times counts by its net change only.
import { describe, expect, test } from '@jest/globals';
import type { PeerKey } from '@pex/core';
import { createMessageBuilder } from '../src/message-builder.js';
import { peerKey } from '../src/peer-key.js';

const key = (last: number): PeerKey => peerKey(Uint8Array.of(192, 0, 2, last), 6881);
const lastBytes = (peers: readonly { readonly address: Uint8Array }[] | undefined) =>
  (peers ?? []).map((peer) => peer.address[3]);

describe('message builder', () => {
  test('an add chained to an add (a flag change) counts once against the cap', () => {
    const builder = createMessageBuilder(2, 1);
    expect(builder.include(key(1), undefined, 0)).toBe(true);
    expect(builder.include(key(1), 0, 0x10)).toBe(true);
    expect(builder.include(key(2), undefined, 0)).toBe(true);
    expect(builder.include(key(3), undefined, 0)).toBe(false);
    const message = builder.build();
    expect(lastBytes(message?.added)).toEqual([1, 2]);
    expect(message?.added[0]?.flags).toBe(0x10);
  });

  test('a drop chained to a drop counts once against the cap', () => {
    const builder = createMessageBuilder(1, 2);
    expect(builder.include(key(1), 0, undefined)).toBe(true);
    expect(builder.include(key(1), undefined, undefined)).toBe(true);
    expect(builder.include(key(2), 0, undefined)).toBe(true);
    expect(builder.include(key(3), 0, undefined)).toBe(false);
    expect(lastBytes(builder.build()?.dropped)).toEqual([1, 2]);
  });

  test('an add and a drop of one peer cancel out: not mentioned, and its room is free again', () => {
    const builder = createMessageBuilder(1, 1);
    expect(builder.include(key(1), undefined, 0)).toBe(true);
    expect(builder.mentions(key(1))).toBe(true);
    expect(builder.include(key(1), 0, undefined)).toBe(true);
    expect(builder.mentions(key(1))).toBe(false);
    expect(builder.mentions(key(9))).toBe(false);
    expect(builder.include(key(2), undefined, 0)).toBe(true);
    expect(lastBytes(builder.build()?.added)).toEqual([2]);
  });

  test('full only when both caps are reached', () => {
    const builder = createMessageBuilder(1, 1);
    builder.include(key(1), undefined, 0);
    expect(builder.isFull()).toBe(false);
    builder.include(key(2), 0, undefined);
    expect(builder.isFull()).toBe(true);
  });
});
