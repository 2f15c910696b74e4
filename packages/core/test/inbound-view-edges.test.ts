import { describe, expect, test } from '@jest/globals';
import { type CompactPeer, createInboundView, type PexMessage } from '@pex/core';

// The edges of the inbound view that the main suite (inbound-view.test.ts) passes by: counts over
// both families, limits met exactly, duplicates within one list, IPv6 addresses that only look
// IPv4-mapped, a clock that steps back, and what each refusal and caller mistake says.

const v4 = (n: number, port = 6881): CompactPeer => ({
  address: Uint8Array.from([10, 0, (n >> 8) & 0xff, n & 0xff]),
  port,
  flags: 0,
});
/** An IPv6 peer: `prefix` as the first eight bytes, `tail` as the last eight. */
const v6 = (prefix: readonly number[], tail: readonly number[], port = 6881): CompactPeer => {
  const address = new Uint8Array(16);
  address.set(prefix.slice(0, 8));
  address.set(tail.slice(0, 8), 8);
  return { address, port, flags: 0 };
};
const DOC_V6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0];
const v6n = (n: number, port = 6881) => v6(DOC_V6, [0, 0, 0, 0, 0, 0, 0, n], port);
const message = (parts: Partial<PexMessage>): PexMessage => ({
  added: [],
  added6: [],
  dropped: [],
  dropped6: [],
  ...parts,
});

describe('inbound view: caps count both families and allow exactly the limit', () => {
  test('added IPv4 + IPv6 are counted together; the limit itself is allowed', () => {
    const view = createInboundView({ maxAddedPerMessage: 4, burstMessages: 10 });
    view.receive(message({ added: [v4(100)] }), 0);
    const atLimit = view.receive(message({ added: [v4(1), v4(2)], added6: [v6n(1), v6n(2)] }), 1);
    expect(atLimit.violations).toEqual([]);
    const over = view.receive(
      message({ added: [v4(3), v4(4)], added6: [v6n(3), v6n(4), v6n(5)] }),
      2,
    );
    expect(over.violations).toEqual([
      {
        reason: 'too-many-added',
        amount: 5,
        limit: 4,
        message: '5 added peers in one message, limit 4',
      },
    ]);
    expect(over.added).toHaveLength(5);
  });

  test('dropped IPv4 + IPv6 are counted together; the limit itself is allowed', () => {
    const view = createInboundView({ maxDroppedPerMessage: 4, burstMessages: 10 });
    const atLimit = view.receive(
      message({ dropped: [v4(1), v4(2)], dropped6: [v6n(1), v6n(2)] }),
      0,
    );
    expect(atLimit.violations).toEqual([]);
    const over = view.receive(
      message({ dropped: [v4(1), v4(2)], dropped6: [v6n(1), v6n(2), v6n(3)] }),
      1,
    );
    expect(over.violations).toEqual([
      {
        reason: 'too-many-dropped',
        amount: 5,
        limit: 4,
        message: '5 dropped peers in one message, limit 4',
      },
    ]);
  });
});

describe('inbound view: duplicates within one list are not "added and dropped"', () => {
  test('a peer dropped twice: reported once, no violation', () => {
    const view = createInboundView();
    view.receive(message({ added: [v4(1)] }), 0);
    const result = view.receive(message({ dropped: [v4(1), v4(1)] }), 60_000);
    expect(result.violations).toEqual([]);
    expect(result.dropped).toHaveLength(1);
    expect(view.knownPeerCount).toBe(0);
  });

  test('a peer dropped twice and added once: still added and dropped, applied neither way', () => {
    const view = createInboundView();
    view.receive(message({ added: [v4(1)] }), 0);
    const result = view.receive(message({ dropped: [v4(1), v4(1)], added: [v4(1)] }), 60_000);
    expect(result.violations.map((violation) => [violation.reason, violation.amount])).toEqual([
      ['added-and-dropped', 1],
    ]);
    expect(result.dropped).toEqual([]);
    expect(view.knownPeerCount).toBe(1);
  });

  test('a peer added twice: reported once, no violation', () => {
    const view = createInboundView();
    const result = view.receive(message({ added6: [v6n(1), v6n(1)], added: [v4(1), v4(1)] }), 0);
    expect(result.violations).toEqual([]);
    expect(result.added).toHaveLength(2);
  });

  test('IPv6 peer added and dropped: counted once, applied neither way, other drops still go', () => {
    const view = createInboundView();
    view.receive(message({ added: [v4(3)], added6: [v6n(1)] }), 0);
    const result = view.receive(
      message({ added6: [v6n(1), v6n(2)], dropped6: [v6n(1)], dropped: [v4(3)] }),
      60_000,
    );
    expect(result.violations).toEqual([
      {
        reason: 'added-and-dropped',
        amount: 1,
        limit: 0,
        message: '1 peers both added and dropped in one message; applied neither way',
      },
    ]);
    expect(result.added.map((peer) => peer.address[15])).toEqual([2]);
    expect(result.dropped.map((peer) => [peer.family, peer.address[3]])).toEqual([[4, 3]]);
    // Still known: the drop of the peer that was also added was not applied.
    expect(view.receive(message({ added6: [v6n(1)] }), 120_000).added).toEqual([]);
  });
});

describe('inbound view: only ::ffff:a.b.c.d is IPv4', () => {
  test.each<[string, CompactPeer]>([
    // ffff where a mapped address has it, but the prefix is not zero.
    ['2001:db8::ffff:1.2.3.4', v6(DOC_V6, [0, 0, 0xff, 0xff, 1, 2, 3, 4])],
    // Zero prefix, but not ffff: the deprecated IPv4-compatible form.
    ['::1.2.3.4', v6([0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 1, 2, 3, 4])],
    // Zero up to the last of the five words only.
    ['0:0:0:0:1:ffff:102:304', v6([0, 0, 0, 0, 0, 0, 0, 0], [0, 1, 0xff, 0xff, 1, 2, 3, 4])],
  ])('%s stays IPv6', (_name, peer) => {
    const view = createInboundView();
    const result = view.receive(message({ added6: [peer] }), 0);
    expect(result.added.map((added) => [added.family, added.address.length])).toEqual([[6, 16]]);
    // And it is not the IPv4 peer 1.2.3.4 of the same port.
    const ipv4 = { address: Uint8Array.from([1, 2, 3, 4]), port: 6881 };
    expect(view.receive(message({ added: [ipv4] }), 60_000).added).toHaveLength(1);
  });
});

describe('inbound view: the rate', () => {
  test('a clock that steps back while refused earns nothing', () => {
    const view = createInboundView({ burstMessages: 1, refillMs: 1_000 });
    expect(view.receive(message({}), 5_000).applied).toBe(true);
    expect(view.receive(message({}), 3_000).applied).toBe(false);
    // 999 ms after the last time seen (5 000), not 2 999 after the step back.
    expect(view.receive(message({}), 5_999).applied).toBe(false);
    expect(view.receive(message({}), 6_000).applied).toBe(true);
  });

  test('a refused message reports nothing and says why, with the numbers', () => {
    const view = createInboundView({ burstMessages: 1, refillMs: 1_000 });
    view.receive(message({ added: [v4(1)] }), 0);
    const refused = view.receive(message({ added: [v4(2)], dropped: [v4(1)] }), 250);
    expect(refused).toEqual({
      added: [],
      dropped: [],
      violations: [
        {
          reason: 'too-frequent',
          amount: 250,
          limit: 1_000,
          message:
            'message 250 ms after the previous one with no burst allowance left (burst 1, then one per 1000 ms)',
        },
      ],
      applied: false,
      ignored: 0,
      overflowed: [],
    });
  });
});

describe('inbound view: what caller mistakes say', () => {
  test.each<[string, unknown, string]>([
    ['null', null, '"message" expected a PexMessage, got null'],
    ['a number', 5, '"message" expected a PexMessage, got 5'],
    ['no lists', {}, '"message.added" expected an array, got undefined'],
    [
      'dropped6 not an array',
      { added: [], added6: [], dropped: [], dropped6: 'x' },
      '"message.dropped6" expected an array, got "x"',
    ],
  ])('a message that is %s', (_name, bad, text) => {
    const view = createInboundView();
    expect(() => view.receive(bad as PexMessage, 0)).toThrow(new TypeError(text));
  });

  test('a peer in the list of the other family names the length expected', () => {
    const view = createInboundView();
    expect(() => view.receive(message({ added: [v6n(1)] }), 0)).toThrow(
      new TypeError('"peer.address" expected 4 bytes (IPv4), got 16'),
    );
    expect(() => view.receive(message({ dropped6: [v4(1)] }), 0)).toThrow(
      new TypeError('"peer.address" expected 16 bytes (IPv6), got 4'),
    );
    // Nothing was changed by either.
    expect(view.knownPeerCount).toBe(0);
    expect(view.receive(message({ added: [v4(1)] }), 0).applied).toBe(true);
  });

  test('accept that is not a function', () => {
    expect(() => createInboundView({ accept: 'yes' as unknown as () => boolean })).toThrow(
      new TypeError('"accept" expected a function, got "yes"'),
    );
  });
});
