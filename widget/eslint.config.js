// ESLint (flat config) for the widget's source, its build script and its node tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['node_modules/'] },
  js.configs.recommended,
  {
    files: ['src/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.browser },
    rules: {
      'no-eval': 'error',
      'no-implied-eval': 'error',
      'no-new-func': 'error',
      'no-restricted-properties': [
        'error',
        { property: 'outerHTML', message: 'Only a sanitized guide body is HTML (dom.js setBody).' },
        { property: 'insertAdjacentHTML', message: 'Only a sanitized guide body is HTML (dom.js setBody).' },
      ],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // guide bodies, sanitized by the server, are the one HTML sink: dom.js setBody
    files: ['src/**/*.js'],
    ignores: ['src/dom.js'],
    rules: {
      'no-restricted-properties': [
        'error',
        { property: 'innerHTML', message: 'Use setBody (dom.js): only a sanitized guide body is HTML.' },
        { property: 'outerHTML', message: 'Only a sanitized guide body is HTML (dom.js setBody).' },
        { property: 'insertAdjacentHTML', message: 'Only a sanitized guide body is HTML (dom.js setBody).' },
      ],
    },
  },
  {
    files: ['build.mjs', 'eslint.config.js', 'test/**/*.js'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: globals.node },
  },
];
