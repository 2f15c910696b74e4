// The packages from CommonJS: Node 20.19+ and 22 load an ES module through require(), and each
// package's `exports` has a `default` condition for it. Run: node examples/require-from-commonjs.cjs
'use strict';

const { decodePexMessage, encodePexMessage, PEX_FLAG_REACHABLE } = require('@pex/core');
const { createPexSession } = require('@pex/events');
const wireAdapter = require('@pex/wire-adapter');

const bytes = encodePexMessage({
  added: [{ address: Uint8Array.from([8, 8, 4, 4]), port: 6881, flags: PEX_FLAG_REACHABLE }],
  added6: [],
  dropped: [],
  dropped6: [],
});
const [peer] = decodePexMessage(bytes).added;
console.log(`decoded ${peer.address.join('.')}:${peer.port} flags ${peer.flags}`);

const session = createPexSession({ send() {} });
session.on('peer', ({ address, port }) => console.log(`session learned ${address}:${port}`));
session.receive(bytes);
session.destroy();

const Extension = wireAdapter.default();
console.log(`default export is utPex: ${wireAdapter.default === wireAdapter.utPex}`);
console.log(`extension name: ${Extension.prototype.name}`);
console.log('ok: required from CommonJS');
