import { describe, expect, test } from '@jest/globals';
import {
  decodePexFlags,
  encodePexFlags,
  PEX_FLAG_PREFERS_ENCRYPTION,
  PEX_FLAG_REACHABLE,
  PEX_FLAG_SUPPORTS_HOLEPUNCH,
  PEX_FLAG_SUPPORTS_UTP,
  PEX_FLAG_UPLOAD_ONLY,
} from '@pex/core';
import fc from 'fast-check';

describe('flag constants', () => {
  test('carry the BEP 11 bit values', () => {
    expect([
      PEX_FLAG_PREFERS_ENCRYPTION,
      PEX_FLAG_UPLOAD_ONLY,
      PEX_FLAG_SUPPORTS_UTP,
      PEX_FLAG_SUPPORTS_HOLEPUNCH,
      PEX_FLAG_REACHABLE,
    ]).toEqual([0x01, 0x02, 0x04, 0x08, 0x10]);
  });
});

describe('decodePexFlags / encodePexFlags', () => {
  test('every byte survives a round trip, reserved bits included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 255 }),
        (byte) => encodePexFlags(decodePexFlags(byte)) === byte,
      ),
    );
  });

  test('each named boolean reads exactly its own bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (byte) => {
        const flags = decodePexFlags(byte);
        expect(flags.prefersEncryption).toBe((byte & 1) !== 0);
        expect(flags.uploadOnly).toBe((byte & 2) !== 0);
        expect(flags.supportsUtp).toBe((byte & 4) !== 0);
        expect(flags.supportsHolepunch).toBe((byte & 8) !== 0);
        expect(flags.reachable).toBe((byte & 16) !== 0);
        expect(flags.reserved).toBe(byte & 0xe0);
      }),
    );
  });

  test('missing names count as false', () => {
    expect(encodePexFlags({})).toBe(0);
    expect(encodePexFlags({ reachable: true, supportsUtp: true })).toBe(0x14);
  });

  test.each([-1, 256, 1.5, Number.NaN])('decodePexFlags refuses %p', (byte) => {
    expect(() => decodePexFlags(byte)).toThrow(RangeError);
  });

  test('encodePexFlags refuses reserved bits outside 0xe0', () => {
    expect(() => encodePexFlags({ reserved: 0x01 })).toThrow(
      /"reserved" expected bits within 0xe0, got 1/,
    );
  });
});
