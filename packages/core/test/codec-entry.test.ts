import { expect, test } from '@jest/globals';
import * as root from '@pex/core';
import * as codec from '../src/codec.js';

// The codec entry is kept to what reading and writing PEX messages takes, so that its whole
// bundle stays within the size budget (.size-limit.json); everything else comes from the root.
const MESSAGE_CODEC = [
  'DEFAULT_PEX_LIMITS',
  'PEX_FLAG_PREFERS_ENCRYPTION',
  'PEX_FLAG_REACHABLE',
  'PEX_FLAG_SUPPORTS_HOLEPUNCH',
  'PEX_FLAG_SUPPORTS_UTP',
  'PEX_FLAG_UPLOAD_ONLY',
  'PexDecodeError',
  'decodePexMessage',
  'encodePexMessage',
  'isPexDecodeError',
];

test('@pex/core/codec exports the message codec and nothing else', () => {
  expect(Object.keys(codec).sort()).toEqual([...MESSAGE_CODEC].sort());
});

test('each codec export is the same binding as in @pex/core', () => {
  const rootExports: Record<string, unknown> = { ...root };
  for (const [name, value] of Object.entries(codec)) expect(value).toBe(rootExports[name]);
});
