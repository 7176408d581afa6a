import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { API_ERRORS } from './api-errors.js';

describe('API error registry', () => {
  it('docs/API.md documents every code with its HTTP status', () => {
    const doc = readFileSync(new URL('../../../docs/API.md', import.meta.url), 'utf8');
    for (const [code, { status }] of Object.entries(API_ERRORS)) {
      assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${status} \\|`), code);
    }
  });
});
