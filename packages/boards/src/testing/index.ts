// Test support: probes that let a test skip with a message where a tool is missing, and a line-oriented serial
// client for talking to a virtual board's pty. Not public API.
export { hasArmToolchain } from '../toolchain';
export { hasQemu } from '../virtual-board';
export { hasSocat } from '../serial-bridge';
export { PtySerial } from '../pty-serial';
