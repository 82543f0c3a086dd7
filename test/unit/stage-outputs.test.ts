import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../lib/errors.ts';
import { parseApiBackendsOutputs, targetUrls } from '../../lib/stage/outputs.ts';
import { turkeysUrl } from '../../lib/stage/targets.ts';

const section = {
  directUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/bench/direct',
  sfnUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/bench/sfn',
  lambdaUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/bench/lambda',
  apprunnerUrl: 'https://xyz.eu-west-1.awsapprunner.com',
  tableName: 'sst-turkeys',
  region: 'eu-west-1',
  config: { lambdaMemoryMb: 128 },
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:sst-breed-page',
};

const configError = (pattern: RegExp) => (error: unknown) => error instanceof ConfigError && pattern.test(error.message);

describe('parseApiBackendsOutputs', () => {
  it('reads the api-backends section of a cdktf outputs file, extra outputs ignored', () => {
    const outputs = parseApiBackendsOutputs({ 'api-backends': section, images: { region: 'eu-west-1' } }, 'out.json');
    assert.deepEqual(outputs, {
      directUrl: section.directUrl,
      sfnUrl: section.sfnUrl,
      lambdaUrl: section.lambdaUrl,
      apprunnerUrl: section.apprunnerUrl,
      tableName: 'sst-turkeys',
      region: 'eu-west-1',
      config: { lambdaMemoryMb: 128 },
    });
    assert.deepEqual(targetUrls(outputs), { direct: section.directUrl, sfn: section.sfnUrl, lambda: section.lambdaUrl, apprunner: section.apprunnerUrl });
  });

  it('keeps the local DynamoDB endpoint when the local stage prints one', () => {
    const outputs = parseApiBackendsOutputs({ 'api-backends': { ...section, dynamodbEndpoint: 'http://127.0.0.1:4567' } }, 'stage');
    assert.equal(outputs.dynamodbEndpoint, 'http://127.0.0.1:4567');
  });

  it('refuses a file that is not an outputs object or has no api-backends section, with the command that makes one', () => {
    assert.throws(() => parseApiBackendsOutputs(null, 'out.json'), configError(/out\.json is not a JSON object/));
    assert.throws(() => parseApiBackendsOutputs({ fanout: {} }, 'out.json'), configError(/no "api-backends" stack outputs; run `cdktf output api-backends --outputs-file out\.json`/));
  });

  it('names the missing or malformed key', () => {
    const without = (key: string) => Object.fromEntries(Object.entries(section).filter(([k]) => k !== key));
    assert.throws(() => parseApiBackendsOutputs({ 'api-backends': without('sfnUrl') }, 'o.json'), configError(/lacks output "api-backends\.sfnUrl"/));
    assert.throws(() => parseApiBackendsOutputs({ 'api-backends': without('tableName') }, 'o.json'), configError(/lacks output "api-backends\.tableName"/));
    assert.throws(() => parseApiBackendsOutputs({ 'api-backends': { ...section, region: 42 } }, 'o.json'), configError(/output "region" must be a string/));
    assert.throws(() => parseApiBackendsOutputs({ 'api-backends': { ...section, lambdaUrl: 'abc.example.com' } }, 'o.json'), configError(/"lambdaUrl" is not an http\(s\) URL/));
  });

  it('requires only the URLs of the targets the caller will use', () => {
    const outputs = parseApiBackendsOutputs({ 'api-backends': { ...section, apprunnerUrl: '' } }, 'o.json', ['direct', 'lambda']);
    assert.equal(outputs.apprunnerUrl, '');
    assert.throws(() => parseApiBackendsOutputs({ 'api-backends': { ...section, apprunnerUrl: '' } }, 'o.json'), configError(/apprunnerUrl/));
  });
});

describe('turkeysUrl', () => {
  it('appends /turkeys/{breed}, percent-encoding the breed and ignoring trailing slashes on the base', () => {
    assert.equal(turkeysUrl('http://127.0.0.1:80/direct', 'Bourbon Red'), 'http://127.0.0.1:80/direct/turkeys/Bourbon%20Red');
    assert.equal(turkeysUrl('https://x.awsapprunner.com//', "Bronzé d'Auvergne"), "https://x.awsapprunner.com/turkeys/Bronz%C3%A9%20d'Auvergne");
    assert.equal(turkeysUrl('http://h/sfn', 'a/b?c#d'), 'http://h/sfn/turkeys/a%2Fb%3Fc%23d');
  });
});
