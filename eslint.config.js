// typescript-eslint with type information: the recommended and type-checked rules, once for the whole tree.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Handlers that may await later keep `async`; the promise contract is the point.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // String(value) on database rows and request ids is deliberate; the rule cannot see their runtime types.
      '@typescript-eslint/no-base-to-string': 'off',
      // Event and message callbacks (Colyseus onMessage, EventEmitter, timers) may be async: each one
      // catches its own errors (the room base's handle, the workers' loops). Promises elsewhere are checked.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
    },
  },
  {
    // Tests and load scripts read untyped JSON bodies and SDK payloads: `any` is the honest type there.
    files: ['test/**', 'loadtest/**'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // chai's property assertions (`.to.be.true`, `.and.not.empty`) are expressions.
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
);
