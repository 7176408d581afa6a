import tseslint from 'typescript-eslint';

// Layering (README "Architecture"): imports point only downward. Each entry forbids a layer from importing
// the layers above it (and the hub any container format); every layer is listed, so a new folder is a
// decision. No file under src/ imports test/, bench/ or support/ (tests and benchmarks depend on the
// product, never the reverse), and production code never imports a testing/ helper or testdata/.
// test/layout/eslint-boundaries.test.ts checks that this rule refuses what it should.
const ALL = ['core', 'codecs', 'formats', 'protocols', 'hub', 'bridges', 'servers', 'services', 'db', 'config', 'web', 'cli'];
const except = (...allowed) => ALL.filter((l) => !allowed.includes(l));
const layers = {
  core: except('core'),
  codecs: except('codecs', 'core'),
  formats: except('formats', 'core', 'codecs'),
  protocols: except('protocols', 'core', 'codecs', 'formats'),
  hub: except('hub', 'core', 'codecs'),
  bridges: except('bridges', 'core', 'codecs', 'formats', 'protocols', 'hub', 'config'),
  db: except('db', 'core'),
  services: except('services', 'core', 'codecs', 'formats', 'hub', 'db', 'config'),
  servers: except('servers', 'core', 'codecs', 'formats', 'protocols', 'hub', 'bridges', 'services', 'config', 'web'),
  config: except('config', 'core'),
  web: except('web', 'core'),
  cli: except('cli', 'core'),
};

const forbid = (name) => [`**/${name}/*`, `**/${name}/**`, `../${name}`, `../../${name}`];
const downwardOnly = (layer, forbidden) => forbidden.map((f) => ({
  group: forbid(f),
  message: `src/${layer} must not import src/${f} (imports point only downward; see README Architecture).`,
}));
const outsideSrc = [
  { group: forbid('test'), dir: 'test' },
  { group: forbid('bench'), dir: 'bench' },
  { group: [...forbid('support'), '!**/test/support/**'], dir: 'support' },
].map(({ group, dir }) => ({
  group,
  message: `src must not import ${dir}/ (tests and benchmarks import the product, never the reverse; test code that src tests share goes in a testing/ folder beside its module).`,
}));
const testOnly = { group: [...forbid('testing'), ...forbid('testdata')], message: 'production code must not import testing/ helpers or testdata/.' };

const layerRules = Object.entries(layers).flatMap(([layer, forbidden]) => [
  {
    files: [`src/${layer}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns: [...downwardOnly(layer, forbidden), ...outsideSrc] }] },
  },
  {
    // Production code (not tests, not test helpers) additionally never reaches test-only code inside src.
    files: [`src/${layer}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...downwardOnly(layer, forbidden), ...outsideSrc, testOnly] }] },
  },
]);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', '.test-tmp/**', 'src/web/vendor/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
  ...layerRules,
);
