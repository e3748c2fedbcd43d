module.exports = { ...require('../../jest.preset.js'), displayName: 'flasher', rootDir: __dirname };
