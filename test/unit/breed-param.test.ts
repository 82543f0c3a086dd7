import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBreedParam, InvalidBreedError, MalformedBreedEncodingError, parseBreedParam } from '../../lib/turkeys/breed-param.ts';

describe('decodeBreedParam (the {breed} path parameter as API Gateway hands it on)', () => {
  it('decodes percent-escapes once, with path semantics (+ is a plus)', () => {
    assert.equal(decodeBreedParam('Bourbon%20Red'), 'Bourbon Red');
    assert.equal(decodeBreedParam('Bronz%C3%A9%20d\'Auvergne'), "Bronzé d'Auvergne");
    assert.equal(decodeBreedParam('a+b%2Bc'), 'a+b+c');
    assert.equal(decodeBreedParam('100%2541'), '100%41');
    assert.equal(decodeBreedParam(encodeURIComponent('a/b?c#d&e=f%g+h')), 'a/b?c#d&e=f%g+h');
  });

  it('leaves a value alone that cannot be percent-encoded text (API Gateway decoded it already)', () => {
    for (const decoded of ['Bourbon Red', 'f%g', '100%', 'a/b?c#d&e=f%g+h', 'Ngā Pārae Bronze']) assert.equal(decodeBreedParam(decoded), decoded);
  });

  it('escapes of bytes that are not UTF-8 are a 400 BAD_REQUEST, as Express answers', () => {
    assert.throws(() => decodeBreedParam('%FF'), (e: unknown) => e instanceof MalformedBreedEncodingError && e.code === 'BAD_REQUEST' && e.status === 400);
    assert.throws(() => decodeBreedParam('%E0%A4'), MalformedBreedEncodingError);
  });

  it('absent stays absent; the 64-character limit applies to the decoded text', () => {
    assert.equal(decodeBreedParam(undefined), undefined);
    assert.equal(decodeBreedParam(null), undefined);
    const encoded = encodeURIComponent('é'.repeat(64));
    assert.equal(encoded.length, 384);
    assert.equal(parseBreedParam(decodeBreedParam(encoded)), 'é'.repeat(64));
    assert.throws(() => parseBreedParam(decodeBreedParam(encodeURIComponent('é'.repeat(65)))), InvalidBreedError);
  });
});
