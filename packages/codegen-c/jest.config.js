module.exports = { ...require('../../jest.preset.js'), displayName: 'codegen-c', rootDir: __dirname };
