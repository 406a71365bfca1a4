// Public exports of the connection module.
export {};
