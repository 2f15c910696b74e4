import { expect, test } from '@jest/globals';
import { PLACEHOLDER } from '@pex/core';

test('x', () => {
  expect(PLACEHOLDER).toBe(1);
});
