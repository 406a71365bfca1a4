// Public exports of the crypto module.
export {};
