import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intEnv, optionalEnv, requireEnv } from '../../lib/env.ts';
import { ConfigError } from '../../lib/errors.ts';

const isConfigErrorNaming = (name: string) => (error: unknown) =>
  error instanceof ConfigError && error.code === 'CONFIG_INVALID' && error.message.includes(name) && error.context['name'] === name;

describe('lib/env.ts', () => {
  it('requireEnv returns the value and refuses a missing or blank one, naming the variable', () => {
    assert.equal(requireEnv('TABLE_NAME', { TABLE_NAME: 'turkeys' }), 'turkeys');
    assert.throws(() => requireEnv('TABLE_NAME', {}), isConfigErrorNaming('TABLE_NAME'));
    assert.throws(() => requireEnv('TABLE_NAME', { TABLE_NAME: '  ' }), isConfigErrorNaming('TABLE_NAME'));
  });

  it('optionalEnv falls back when the variable is missing or blank', () => {
    assert.equal(optionalEnv('HOST', '0.0.0.0', {}), '0.0.0.0');
    assert.equal(optionalEnv('HOST', '0.0.0.0', { HOST: '' }), '0.0.0.0');
    assert.equal(optionalEnv('HOST', '0.0.0.0', { HOST: '127.0.0.1' }), '127.0.0.1');
  });

  it('intEnv parses integers within the range and refuses anything else with the raw value', () => {
    const range = { min: 0, max: 65_535 };
    assert.equal(intEnv('PORT', 8080, range, {}), 8080);
    assert.equal(intEnv('PORT', 8080, range, { PORT: '0' }), 0);
    assert.equal(intEnv('PORT', 8080, range, { PORT: '65535' }), 65_535);
    for (const raw of ['65536', '-1', '80.5', 'eighty']) {
      assert.throws(() => intEnv('PORT', 8080, range, { PORT: raw }), (error: unknown) => isConfigErrorNaming('PORT')(error) && (error as Error).message.includes(`"${raw}"`), raw);
    }
  });
});
