import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const boundary = (folder, allowed) => ({
  files: [`src/${folder}/**/*.{ts,tsx}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...['app', 'harness', 'telemetry', 'envelope', 'engine']
            .filter((other) => other !== folder && !allowed.includes(other))
            .map((other) => ({
              group: [`**/${other}/*`, `**/${other}`],
              message: `src/${folder} must not import src/${other} (DESIGN.md §2 boundaries).`,
            })),
          { group: ['ink', 'react', 'zustand', 'ink-*'], message: `src/${folder} must not import the UI.` },
        ],
      },
    ],
    'no-console': 'error',
  },
});

export default tseslint.config(
  {
    ignores: [
      'node_modules',
      'dist',
      '.gpu',
      '.tmp',
      '.bench-dist',
      'fixtures',
      'coverage',
      'results',
      'replay-results',
      'profile-results',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', URL: 'readonly', console: 'readonly', Buffer: 'readonly' },
    },
  },
  boundary('harness', []),
  boundary('telemetry', []),
  boundary('engine', []),
  // envelope may import types from harness/telemetry (enforced by consistent-type-imports + review).
  boundary('envelope', ['harness', 'telemetry']),
);
