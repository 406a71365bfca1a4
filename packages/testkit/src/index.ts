export * from './node/vectors.ts';
