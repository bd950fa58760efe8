// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const PURE_BANNED_IMPORTS = {
  patterns: [
    {
      group: ['node:*', '!node:crypto'],
      message: 'src/mapping is pure: no I/O modules (node:crypto is allowed for the id hash only).',
    },
    {
      group: ['undici', 'http', 'https', 'fs', 'net', '**/exporter/**', '**/receiver/**', '**/cli/**'],
      message: 'src/mapping is pure: no HTTP client, no file system, no imports from the edges.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/**/__golden__/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/parameter-properties': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'List exports explicitly (no export *).' },
      ],
    },
  },
  {
    files: ['src/mapping/**/*.ts', 'src/otlp/**/*.ts', 'src/ingestion-api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', PURE_BANNED_IMPORTS],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Pure mapping: take the time from ctx.' },
        { object: 'Math', property: 'random', message: 'Pure mapping: no randomness.' },
        { object: 'crypto', property: 'randomUUID', message: 'Pure mapping: ids are deterministic.' },
        { object: 'performance', property: 'now', message: 'Pure mapping: no clocks.' },
        { object: 'process', property: 'env', message: 'Pure mapping: configuration comes through ctx.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'fetch', message: 'Pure mapping: no I/O.' },
        { name: 'setTimeout', message: 'Pure mapping: no timers.' },
        { name: 'setInterval', message: 'Pure mapping: no timers.' },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'List exports explicitly (no export *).' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Pure mapping: no clock.' },
      ],
    },
  },
);
