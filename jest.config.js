// One jest run over every package (what `npm test` uses); each package also has its own config for `nx test`.
module.exports = {
  projects: ['<rootDir>/packages/*/jest.config.js', '<rootDir>/examples/*/jest.config.js', '<rootDir>/tools/*/jest.config.js'],
  // the slowest files first, from jest's last run or the committed table tools/testing/test-times.json
  testSequencer: '<rootDir>/tools/testing/test-sequencer.js',
};
