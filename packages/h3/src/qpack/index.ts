// Public exports of the QPACK module.
export {};
