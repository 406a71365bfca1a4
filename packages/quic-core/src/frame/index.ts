// Public exports of the frame module.
export {};
