/**
 * The counting semaphore of GDAC requests is the shared pool of src/util/pool.ts; this module
 * only keeps the import path of the modules that still name it here.
 */
export { createLimiter, type Limiter } from '../util/pool.js';
