/**
 * @packageDocumentation
 * `ut_pex` for hosts that never drive it, WebTorrent first: alias this package as `ut_pex`
 * (one line in package.json) and every torrent advertises its peers to its other connections,
 * with every BEP 11 rule, and never on a private torrent (BEP 27). The default export is the
 * factory WebTorrent imports (`import utPex from 'ut_pex'`), with ut_pex 5.x's surface and events.
 *
 * @example
 * ```json
 * { "overrides": { "ut_pex": "npm:@pex/ut_pex@^0.1.0" } }
 * ```
 */

import { createUtPex } from './create-ut-pex.js';

export { type CreateUtPexOptions, createUtPex, type UtPexFactory } from './create-ut-pex.js';

/** The factory of this process: one registry of torrents for every wire that uses it. */
const utPex = createUtPex();

export default utPex;
