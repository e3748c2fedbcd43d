module.exports = { ...require('../../jest.preset.js'), displayName: 'cycle-model', rootDir: __dirname };
