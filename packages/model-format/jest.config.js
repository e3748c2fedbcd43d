module.exports = { ...require('../../jest.preset.js'), displayName: 'model-format', rootDir: __dirname };
