// Public exports of the packet module.
export {};
