// Public exports of the tls module.
export {};
