// ESLint for the frontend sources, tests and build scripts. Formatting is prettier's job, types are tsc's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['build-test/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.worker, ...globals.node } },
    rules: {
      // Names and notes are sanitised by stripping control characters, which these regexes match on purpose.
      'no-control-regex': 'off',
    },
  },
);
