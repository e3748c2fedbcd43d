// Test support for code that reads profiles: a linked pair of pseudo-terminals standing in for a board's serial
// port, and the frame test vectors shared with the C encoder's tests. Not public API.
export { openPtyPair } from './pty-pair';
export type { PtyPair } from './pty-pair';
export { buildVectorFile } from './vectors';
export type { FrameVector, VectorFile } from './vectors';
