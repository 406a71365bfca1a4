// Public exports of the packet module.
export * from './version.ts';
export * from './packet-number.ts';
export * from './header.ts';
export * from './protection.ts';
export * from './retry.ts';
export * from './version-negotiation.ts';
