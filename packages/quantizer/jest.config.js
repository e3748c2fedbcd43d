module.exports = { ...require('../../jest.preset.js'), displayName: 'quantizer', rootDir: __dirname };
