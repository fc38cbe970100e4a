// Lint for `npm run lint` and `npm test`. The recommended sets of ESLint, typescript-eslint and
// eslint-plugin-svelte, type-aware for the TypeScript sources (promises and `any` are where real bugs hide),
// plus the rules that matter for security software: no code from strings, no {@html}.
import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './svelte.config.js';

export default ts.config(
  {
    ignores: [
      'build/',
      'build-subpath/',
      'build-pages/',
      '.svelte-kit/',
      'dist/',
      'bench/.work/',
      'test-results/',
      'playwright-report/',
      'tests/fixtures/',
      'src/lib/generated/'
    ]
  },
  js.configs.recommended,
  ts.configs.recommended,
  svelte.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    languageOptions: {
      globals: { ...globals.browser, ...globals.node },
      parserOptions: {
        projectService: {
          // Outside the SvelteKit tsconfig (the service worker has its own lib): linted with its options.
          allowDefaultProject: ['src/service-worker.ts', 'playwright.config.ts', 'bench/*.ts']
        },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte']
      }
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser, svelteConfig } }
  },
  {
    // Type-aware rules: the ones that catch bugs rather than style.
    files: ['**/*.ts', '**/*.svelte'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error'
    }
  },
  {
    rules: {
      // Security software: no code built from strings (the CSP forbids it in the browser anyway).
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-script-url': 'error',
      'svelte/no-at-html-tags': 'error',
      'svelte/no-target-blank': 'error',
      'svelte/no-useless-mustaches': ['error', { ignoreStringEscape: true }],
      // The state classes replace whole values in $state.raw and keep private indexes non-reactive on purpose.
      'svelte/prefer-svelte-reactivity': 'off',
      // Sanitisers and escapers match control characters on purpose (report/escape.ts, findings.ts, …).
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }
      ]
    }
  },
  {
    // Tests build malformed inputs on purpose: poking at parsed JSON is clearer with `any` there.
    files: ['tests/**', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }
  },
  {
    // Plain JavaScript (scripts, configs, bench): not part of a TypeScript project for the type-aware rules.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...ts.configs.disableTypeChecked
  }
);
