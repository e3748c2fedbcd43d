module.exports = { ...require('../../jest.preset.js'), displayName: 'serial-profiler', rootDir: __dirname };
