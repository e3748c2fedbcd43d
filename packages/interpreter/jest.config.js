module.exports = { ...require('../../jest.preset.js'), displayName: 'interpreter', rootDir: __dirname };
