module.exports = { ...require('../../jest.preset.js'), displayName: 'kernels-cmsis', rootDir: __dirname };
