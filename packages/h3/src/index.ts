/** @quicts/h3: sans-IO HTTP/3 and QPACK. @module */
export * from './errors.ts';
export * from './qpack/index.ts';
