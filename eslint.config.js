import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
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
              message: `src/${folder} must not import src/${other} (ARCHITECTURE.md, "Layers").`,
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
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    files: ['src/app/console/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
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
  // envelope may import types (only) from harness/telemetry: see typesOnly below.
  boundary('envelope', ['harness', 'telemetry']),
  // src/lib is the leaf every layer may use (the seeded RNG …); it imports nothing from src.
  boundary('lib', []),
  // Inside src/app: the console draws what it is given and never reaches into the run, the
  // commands or the reports; the run never imports the reports (ARCHITECTURE.md, "Layers").
  appInternal('src/app/console/**/*.{ts,tsx}', ['run', 'commands', 'report']),
  appInternal('src/app/run/**/*.ts', ['report', 'commands']),
  // "Types only" edges (ARCHITECTURE.md, "Layers"): the envelope describes what the harness and
  // telemetry measured, and the console draws their snapshots, but neither runs their code.
  typesOnly('src/envelope/**/*.ts', ['harness', 'telemetry']),
  typesOnly('src/app/console/**/*.{ts,tsx}', ['harness', 'telemetry']),
);

function appInternal(files, folders) {
  return {
    files: [files],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: folders.map((folder) => ({
            group: [`**/app/${folder}/*`, `../${folder}/*`, `../../${folder}/*`],
            message: `${files.split('/**')[0]} must not import src/app/${folder} (ARCHITECTURE.md, "Layers").`,
          })),
        },
      ],
    },
  };
}

function typesOnly(files, folders) {
  return {
    files: [files],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: folders.map((folder) => ({
            group: [`**/${folder}/*`, `**/${folder}`],
            allowTypeImports: true,
            message: `only types may be imported from src/${folder} here (ARCHITECTURE.md, "Layers").`,
          })),
        },
      ],
    },
  };
}
