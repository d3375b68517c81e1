// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const VSCODE = { name: 'vscode', message: 'src/core must not import vscode at runtime (use import type or a structural type).', allowTypeImports: true };
const UNDICI = { name: 'undici', message: 'HTTP goes through src/core/http (openResponse, fetchBytes, readBody, drainBody): the one place that calls undici.' };

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', '.vscode-test/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // CommonJS entry points loaded by VS Code's test host (test/electron).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // One HTTP edge: only src/core/http talks to undici (deadlines, size caps, error words and
    // the undici back-pressure workaround live there once).
    files: ['src/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [UNDICI] }] },
  },
  {
    // The protocol core (and the device side, src/device) is a plain-Node library: it may name VS Code's types (import type) but
    // never load the `vscode` module, so it runs and is tested outside VS Code.
    files: ['src/core/**/*.ts', 'src/protocol/**/*.ts', 'src/device/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [VSCODE, UNDICI] }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['src/core/http/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { paths: [VSCODE] }] },
  },
);
