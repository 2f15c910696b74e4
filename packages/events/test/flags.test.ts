import { describe, expect, test } from '@jest/globals';
import { PEX_FLAG_REACHABLE, PEX_FLAG_SUPPORTS_UTP, PEX_FLAG_UPLOAD_ONLY } from '@pex/core';
import { readPeerFlags, resolveFlagByte } from '@pex/events/internal';
import fc from 'fast-check';

describe('resolveFlagByte', () => {
  test('undefined is no flag', () => {
    expect(resolveFlagByte()).toBe(0);
  });

  test('named booleans become the BEP 11 bits', () => {
    expect(resolveFlagByte({ reachable: true, supportsUtp: true })).toBe(
      PEX_FLAG_REACHABLE | PEX_FLAG_SUPPORTS_UTP,
    );
    expect(resolveFlagByte({ uploadOnly: true, reachable: false })).toBe(PEX_FLAG_UPLOAD_ONLY);
  });

  test('a byte passes through, reserved bits included', () => {
    fc.assert(fc.property(fc.nat(255), (byte) => expect(resolveFlagByte(byte)).toBe(byte)));
  });

  test.each([-1, 256, 1.5, Number.NaN])('refuses byte %p with a RangeError', (byte) => {
    expect(() => resolveFlagByte(byte)).toThrow(RangeError);
  });

  test('refuses a non-object, non-number', () => {
    expect(() => resolveFlagByte('16' as unknown as number)).toThrow(TypeError);
    expect(() => resolveFlagByte(null as unknown as number)).toThrow(
      new TypeError('"flags" expected a byte or named booleans, got null'),
    );
    expect(() => resolveFlagByte(true as unknown as number)).toThrow(
      new TypeError('"flags" expected a byte or named booleans, got true'),
    );
  });
});

describe('readPeerFlags', () => {
  test('named booleans and byte agree for every byte', () => {
    for (let byte = 0; byte < 256; byte++) {
      const flags = readPeerFlags(byte);
      expect(flags.byte).toBe(byte);
      expect(flags.prefersEncryption).toBe((byte & 0x01) !== 0);
      expect(flags.uploadOnly).toBe((byte & 0x02) !== 0);
      expect(flags.supportsUtp).toBe((byte & 0x04) !== 0);
      expect(flags.supportsHolepunch).toBe((byte & 0x08) !== 0);
      expect(flags.reachable).toBe((byte & 0x10) !== 0);
      expect(flags.reserved).toBe(byte & 0xe0);
      expect(resolveFlagByte(flags)).toBe(byte);
    }
  });

  test('one frozen object per byte, shared by every call', () => {
    for (let byte = 0; byte < 256; byte++) {
      expect(Object.isFrozen(readPeerFlags(byte))).toBe(true);
      expect(readPeerFlags(byte)).toBe(readPeerFlags(byte));
    }
  });

  test.each([-1, 256, 1.5, Number.NaN, '16'])('refuses %p with a RangeError', (byte) => {
    expect(() => readPeerFlags(byte as number)).toThrow(RangeError);
  });
});
