import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ERROR_CODES, OnAirError, checkLimit, isOnAirError } from './errors.js';

test('every error code is documented in the README', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  for (const code of Object.keys(ERROR_CODES)) assert.ok(readme.includes(`\`${code}\``), `${code} missing from README`);
});

test('checkLimit throws ONAIR_ERR_LIMIT past the limit only', () => {
  checkLimit('x', 10, 10);
  assert.throws(() => checkLimit('x', 11, 10), (e) => isOnAirError(e, 'ONAIR_ERR_LIMIT') && /11 exceeds limit 10/.test((e as Error).message));
  assert.equal(isOnAirError(new OnAirError('ONAIR_ERR_STATE', 's'), 'ONAIR_ERR_LIMIT'), false);
});
