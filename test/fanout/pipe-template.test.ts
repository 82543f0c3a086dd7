import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PIPE_INPUT_TEMPLATE, renderPipeInputTemplate, resolvePipePath } from '../../lib/fanout/pipe-template.ts';
import { stateFromMessage } from '../../lib/fanout/sqs-message.ts';

// The substitution rules of the Pipes user guide, "Amazon EventBridge Pipes input transformation".
const ec2 = { detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', count: 3, on: true, tags: ['a', 'b'], nested: { k: 'v' } } };

describe('EventBridge Pipe input template renderer', () => {
  test("the guide's worked example: unquoted string variables get quotes, the event object is inserted as JSON", () => {
    const out = renderPipeInputTemplate(
      '{\n  "instance" : <$.detail.instance-id>,\n  "state": <$.detail.state>,\n  "pipeArn" : <aws.pipes.pipe-arn>,\n  "pipeName" : <aws.pipes.pipe-name>,\n  "originalEvent" : <aws.pipes.event.json>\n}',
      ec2,
      { pipeArn: 'arn:aws:pipes:us-east-1:123456789012:pipe/example', pipeName: 'example' },
    );
    assert.deepEqual(JSON.parse(out), { instance: 'i-0123456789', state: 'RUNNING', pipeArn: 'arn:aws:pipes:us-east-1:123456789012:pipe/example', pipeName: 'example', originalEvent: ec2 });
  });

  test('quotes around a string variable are permitted: no second pair', () => {
    assert.equal(renderPipeInputTemplate('{"s":"<$.detail.state>","t":<$.detail.state>}', ec2), '{"s":"RUNNING","t":"RUNNING"}');
  });

  test('inside a longer string a value is inserted as it is; an object loses its internal quotes', () => {
    assert.equal(renderPipeInputTemplate('"Hello, <$.detail.state>"', ec2), '"Hello, RUNNING"');
    assert.equal(renderPipeInputTemplate('"Body is <$.detail.nested>"', ec2), '"Body is {k:v}"');
  });

  test('numbers, booleans, arrays and objects in a value position are JSON', () => {
    assert.equal(renderPipeInputTemplate('[<$.detail.count>,<$.detail.on>,<$.detail.tags>,<$.detail.nested>]', ec2), '[3,true,["a","b"],{"k":"v"}]');
  });

  test('string values are NOT escaped (as documented): a quote in a value makes invalid JSON', () => {
    const out = renderPipeInputTemplate('{"p":<$.p.S>}', { p: { S: '{"seq":1}' } });
    assert.equal(out, '{"p":"{"seq":1}"}');
    assert.throws(() => JSON.parse(out));
  });

  test('a DynamoDB N is a string in the stream record, so it is quoted: the old template sent "version":"3"', () => {
    const record = { dynamodb: { NewImage: { id: { S: 'current' }, version: { N: '3' }, writtenAt: { N: '1700000000000' }, payload: { S: '{"seq":3}' } } } };
    const old = '{"id":"<$.dynamodb.NewImage.id.S>","version":<$.dynamodb.NewImage.version.N>,"writtenAt":<$.dynamodb.NewImage.writtenAt.N>,"payload":<$.dynamodb.NewImage.payload.S>}';
    assert.equal(renderPipeInputTemplate(old, record), '{"id":"current","version":"3","writtenAt":"1700000000000","payload":"{"seq":3}"}');
  });

  test('a path that does not exist renders nothing; array indices by [n] and by .n', () => {
    assert.equal(renderPipeInputTemplate('{"a":<$.nope.x>}', ec2), '{"a":}');
    assert.equal(resolvePipePath({ r: [{ S: 'x' }, { S: 'y' }] }, '$.r[1].S'), 'y');
    assert.equal(resolvePipePath({ r: [{ S: 'x' }, { S: 'y' }] }, '$.r.0.S'), 'x');
    assert.throws(() => resolvePipePath(ec2, '$.detail.*'), /Wildcards/);
  });

  test("the stack's template gives valid JSON for any payload, and the consumer reads the state from it", () => {
    const payload = JSON.stringify({ seq: 9, note: 'quote " backslash \\ newline \n ünïcode' });
    const record = {
      eventName: 'MODIFY',
      dynamodb: { SequenceNumber: '100000000000000000009', NewImage: { id: { S: 'current' }, version: { N: '9' }, writtenAt: { N: '1700000000123' }, payload: { S: payload } } },
    };
    const message = renderPipeInputTemplate(PIPE_INPUT_TEMPLATE, record);
    const parsed = JSON.parse(message) as { sequenceNumber: string };
    assert.equal(parsed.sequenceNumber, '100000000000000000009');
    assert.deepEqual(stateFromMessage(parsed), { id: 'current', version: 9, writtenAt: 1700000000123, payload: JSON.parse(payload) });
  });
});
