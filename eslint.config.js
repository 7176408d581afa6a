import tseslint from 'typescript-eslint';

// Layering (../shared/STYLE.md): imports point only downward. Each entry forbids a layer from importing
// the layers above it; the hub additionally knows no container format.
const layers = {
  core: ['codecs', 'formats', 'protocols', 'hub', 'bridges', 'servers', 'services', 'db', 'web'],
  codecs: ['formats', 'protocols', 'hub', 'bridges', 'servers', 'services', 'db', 'web'],
  formats: ['protocols', 'hub', 'bridges', 'servers', 'services', 'db', 'web'],
  protocols: ['hub', 'bridges', 'servers', 'services', 'db', 'web'],
  hub: ['formats', 'protocols', 'bridges', 'servers', 'services', 'db', 'web'],
  bridges: ['servers', 'services', 'db', 'web'],
  db: ['codecs', 'formats', 'protocols', 'hub', 'bridges', 'servers', 'services', 'web'],
  services: ['protocols', 'bridges', 'servers', 'web'],
};

const layerRules = Object.entries(layers).map(([layer, forbidden]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: forbidden.map((f) => ({
        group: [`**/${f}/*`, `**/${f}/**`, `../${f}`, `../../${f}`],
        message: `src/${layer} must not import src/${f} (imports point only downward; see README Architecture).`,
      })),
    }],
  },
}));

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
