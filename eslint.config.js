import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NO_DEEP_IMPORTS = {
  group: ['@helpline/*/src/*', '**/libs/*/src/**'],
  message: "Import a library by its name ('@helpline/x'), not its files.",
};

// class-validator's IsOptional lets null through to the handler, and on to NOT NULL columns.
const NO_IS_OPTIONAL = {
  name: 'class-validator',
  importNames: ['IsOptional'],
  message: "Use Optional() from '@helpline/common': absent is fine, null is validated like any value.",
};

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.data/**',
      'coverage/**',
      '**/drizzle/**',
      '**/cdk.out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // Nest resolves constructor parameters from emitted metadata: a type-only import erases it.
      '@typescript-eslint/consistent-type-imports': 'off',
    },
  },
  {
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'tools/**/*.ts', 'test/**/*.ts', 'infra/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_IS_OPTIONAL],
          patterns: [NO_DEEP_IMPORTS],
        },
      ],
    },
  },
  {
    // Layer boundaries: a library never reaches into an app.
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [NO_IS_OPTIONAL],
          patterns: [
            NO_DEEP_IMPORTS,
            {
              group: ['**/apps/**', '@helpline/*-service', '@helpline/identity', '@helpline/api-gateway'],
              message: 'A library must not import an app.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tools/launcher/**/*.ts', 'tools/*.mjs'],
    rules: { 'no-console': 'off' },
  },
  {
    // The web console's browser code: React's rules of hooks, and the browser's globals.
    files: ['apps/web/src/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    languageOptions: { globals: globals.browser },
  },
);
