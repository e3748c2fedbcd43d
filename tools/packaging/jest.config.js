// Issue 22's end-to-end test: every package packed and installed from its tarball into folders outside the repo.
module.exports = { ...require('../../jest.preset.js'), displayName: 'packaging', rootDir: __dirname };
