/**
 * @packageDocumentation
 * The `pex` command as a library: `main(argv, io)` runs it with injectable output.
 */
export type { CommandIo } from './io.js';
export { main } from './main.js';
