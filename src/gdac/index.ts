/** The GDAC module's public surface: the source factory and the contract types. */
export { createGdacSource, type GdacSourceOptions, type GdacLogger } from './create-gdac-source.js';
export { TransientUpstreamError, isTransient } from './transient.js';
export type { ByteRange, GdacSource, GdacStats, ReadOptions } from './types.js';
