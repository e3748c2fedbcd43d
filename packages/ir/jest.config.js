module.exports = { ...require('../../jest.preset.js'), displayName: 'ir', rootDir: __dirname };
