// Repository-wide structural checks (no switch over op types outside the registries, no import cycle).
module.exports = { ...require('../../jest.preset.js'), displayName: 'structure', rootDir: __dirname };
