// Shared jest settings: TypeScript through ts-jest, and workspace packages resolved to their sources so that
// tests never depend on a stale build.
const path = require('path');

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  moduleNameMapper: {
    // Generated protobufjs code (no TypeScript sources): resolve to the checked-in JS.
    '^@tinyforge/onnx-proto$': path.join(__dirname, 'packages/onnx-proto/src/index.js'),
    // The example's dataset loader and demo model helpers live outside packages/.
    '^@tinyforge/fashion-mnist$': path.join(__dirname, 'examples/fashion-mnist/src/index.ts'),
    // Test support behind each package's second entry point ('@tinyforge/flasher/testing', ...).
    '^@tinyforge/([a-z-]+)/testing$': path.join(__dirname, 'packages/$1/src/testing/index.ts'),
    '^@tinyforge/([a-z-]+)$': path.join(__dirname, 'packages/$1/src/index.ts'),
  },
};
