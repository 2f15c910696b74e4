/**
 * @packageDocumentation
 * `ut_pex` for apps that alias it: the default export is the extension factory WebTorrent
 * imports as `import utPex from 'ut_pex'`.
 */

import { utPex } from '@pex/wire-adapter';

export default utPex;
