import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { PublishCommandInput } from '@aws-sdk/client-sns';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { graphql } from 'graphql';
import { parse } from 'csv-parse/sync';
import { render } from 'velocityjs';
import { readConsumerConfig } from '../../fargate-consumer/config.ts';
import { CONSUMER_ENV, consumerQueueNames, MESSAGE_ATTRIBUTES } from '../../lib/fanout/constants.ts';
import { deliveryEmfLine, parseDeliveryEmfLine, type DeliveryRecord } from '../../lib/fanout/emf.ts';
import { hopDurations, hopStats, percentile } from '../../lib/fanout/hops.ts';
import { parseReceivedChange } from '../../lib/fanout/sqs-message.ts';
import { applyChange, InvalidStateError, parseState, type FanoutState } from '../../lib/fanout/state.ts';
import { publishStreamRecords } from '../../lib/fanout/stream-processor.ts';
import { fanoutStateCreateTableInput } from '../../lib/fanout/table.ts';
import { FANOUT_RESOLVERS, GET_STATE_QUERY, PUT_STATE_MUTATION } from '../../lib/fanout/templates.ts';
import { startLocalDynamo, type LocalDynamo } from '../../local-stage/dynamodb.ts';
import { appsyncUtil } from '../../local-stage/fanout/appsync-util.ts';
import { LocalDynamoDBResolver } from '../../local-stage/fanout/dynamodb-resolver.ts';
import { firstFailedIndex, LocalEventSourceMapping } from '../../local-stage/fanout/event-source-mapping.ts';
import { buildFanoutSchema, readTemplate } from '../../local-stage/fanout/graphql-server.ts';
import { startLambdaProcess } from '../../local-stage/fanout/lambda-process.ts';
import { LocalStream } from '../../local-stage/fanout/local-stream.ts';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { MutationResult } from '../../runner/fanout/drive.ts';
import { deliveriesCsv, fanoutSummaryCsv, type FanoutSummary } from '../../runner/fanout/files.ts';
import { buildFanoutReport } from '../../runner/fanout/report.ts';

const state = (version: number, writtenAt = 1_000): FanoutState => ({ id: 'current', version, payload: { v: version }, writtenAt });

describe('version rule', () => {
  test('applies newer versions, ignores the same and older ones', () => {
    assert.deepEqual(applyChange(undefined, state(1)), { state: state(1), outcome: 'applied' });
    assert.deepEqual(applyChange(state(2), state(3)), { state: state(3), outcome: 'applied' });
    assert.deepEqual(applyChange(state(3), state(3, 5)), { state: state(3), outcome: 'duplicate' });
    assert.deepEqual(applyChange(state(3), state(2)), { state: state(3), outcome: 'stale' });
  });

  test('parseState refuses records that are not state', () => {
    assert.throws(() => parseState(null), InvalidStateError);
    assert.throws(() => parseState({ id: 'x', version: 1.5, writtenAt: 1 }), /non-negative integer/);
    assert.throws(() => parseState({ id: 'x', version: 1 }), /writtenAt/);
    assert.deepEqual(parseState({ id: 'x', version: 1, writtenAt: 2 }), { id: 'x', version: 1, payload: null, writtenAt: 2 });
  });
});

describe('hop math', () => {
  test('each hop is the difference of the two timestamps that bound it', () => {
    assert.deepEqual(
      hopDurations({ writtenAt: 1000, snsTimestamp: 1040, sentTimestamp: 1045, firstReceiveTimestamp: 1060, appliedAt: 1070 }),
      { streamMs: 40, snsMs: 5, sqsMs: 15, consumeMs: 10, endToEndMs: 70 },
    );
  });

  test('nearest-rank percentiles and stats', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted input
    const stats = hopStats(values);
    assert.deepEqual(stats, { count: 100, p50: 50, p90: 90, p99: 99, max: 100, avg: 50.5 });
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(hopStats([]).p50));
  });
});

describe('messages', () => {
  const record: DeliveryRecord = {
    taskId: 't1',
    stateId: 'current',
    version: 7,
    outcome: 'applied',
    messageId: 'm1',
    receiveCount: 1,
    writtenAt: 1000,
    appliedAt: 1070,
    hops: { streamMs: 40, snsMs: 5, sqsMs: 15, consumeMs: 10, endToEndMs: 70 },
  };

  test('the EMF line declares every metric it carries and round-trips', () => {
    const line = deliveryEmfLine('NS', record);
    const parsed = JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string }[] }[] } };
    const directive = parsed._aws.CloudWatchMetrics[0]!;
    assert.equal(directive.Namespace, 'NS');
    for (const { Name } of directive.Metrics) assert.equal(typeof parsed[Name], 'number', Name);
    assert.equal(parsed['EndToEndTimeTaken'], 70);
    assert.deepEqual(parseDeliveryEmfLine(line), record);
    assert.equal(parseDeliveryEmfLine('{"event":"fanout.ready"}'), undefined);
    assert.equal(parseDeliveryEmfLine('not json'), undefined);
  });

  test('an SQS message carrying an SNS envelope gives the change and its timestamps', () => {
    const body = JSON.stringify({ Type: 'Notification', Message: JSON.stringify(state(4, 900)), Timestamp: new Date(1000).toISOString() });
    const change = parseReceivedChange({
      MessageId: 'm',
      ReceiptHandle: 'r',
      Body: body,
      Attributes: { SentTimestamp: '1005', ApproximateFirstReceiveTimestamp: '1010', ApproximateReceiveCount: '2' },
    });
    assert.deepEqual(change, { messageId: 'm', receiptHandle: 'r', state: state(4, 900), snsTimestamp: 1000, sentTimestamp: 1005, firstReceiveTimestamp: 1010, receiveCount: 2 });
    assert.throws(() => parseReceivedChange({ Body: 'nope', Attributes: {} }), InvalidStateError);
    assert.throws(() => parseReceivedChange({ Body: body, Attributes: {} }), /SentTimestamp/);
  });
});

describe('stream processor', () => {
  const stream = new LocalStream('arn:stream', 'us-east-1');
  const image = (v: number) => ({ id: { S: 'current' }, version: { N: String(v) }, payload: { S: `{"v":${v}}` }, writtenAt: { N: '1000' } });
  const records = [stream.append({ id: { S: 'current' } }, undefined, image(1)), stream.append({ id: { S: 'current' } }, image(1), image(2)), stream.append({ id: { S: 'current' } }, image(2), image(3))];

  test('publishes each new image in order with version and write time attributes', async () => {
    const published: PublishCommandInput[] = [];
    const answer = await publishStreamRecords(records, async (input) => void published.push(input), 'arn:topic', () => assert.fail('no error expected'));
    assert.deepEqual(answer, { batchItemFailures: [] });
    assert.deepEqual(published.map((p) => p.MessageAttributes?.[MESSAGE_ATTRIBUTES.version]?.StringValue), ['1', '2', '3']);
    assert.equal(published[0]!.MessageAttributes?.[MESSAGE_ATTRIBUTES.writtenAt]?.StringValue, '1000');
    assert.deepEqual(JSON.parse(published[2]!.Message!), { id: 'current', version: 3, payload: { v: 3 }, writtenAt: 1000 });
  });

  test('stops at the first failure and reports it and every later record', async () => {
    const published: string[] = [];
    const errors: unknown[] = [];
    const answer = await publishStreamRecords(
      records,
      async (input) => {
        if (input.MessageAttributes?.['version']?.StringValue === '2') throw new Error('throttled');
        published.push(input.MessageAttributes!['version']!.StringValue!);
      },
      'arn:topic',
      (_r, e) => errors.push(e),
    );
    assert.deepEqual(published, ['1']);
    assert.deepEqual(answer.batchItemFailures.map((f) => f.itemIdentifier), [records[1]!.dynamodb!.SequenceNumber, records[2]!.dynamodb!.SequenceNumber]);
    assert.equal(errors.length, 1);
  });

  test('REMOVE records are not published', async () => {
    const removed = new LocalStream('arn', 'us-east-1').append({ id: { S: 'current' } }, image(3), undefined);
    assert.equal(removed.eventName, 'REMOVE');
    let calls = 0;
    await publishStreamRecords([removed], async () => void (calls += 1), 'arn', () => {});
    assert.equal(calls, 0);
  });
});

describe('local stream and event source mapping', () => {
  test('records carry INSERT/MODIFY/REMOVE, keys, images and increasing sequence numbers', () => {
    const s = new LocalStream('arn', 'eu-south-1');
    const key = { id: { S: 'a' } };
    const a = s.append(key, undefined, { ...key, v: { N: '1' } });
    const b = s.append(key, { ...key, v: { N: '1' } }, { ...key, v: { N: '2' } });
    const c = s.append(key, { ...key, v: { N: '2' } }, undefined);
    assert.deepEqual([a, b, c].map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
    assert.equal(b.dynamodb?.OldImage?.['v']?.N, '1');
    assert.equal(c.dynamodb?.NewImage, undefined);
    const newOnly = new LocalStream('arn', 'eu-south-1', 'NEW_IMAGE').append(key, { ...key, v: { N: '1' } }, { ...key, v: { N: '2' } });
    assert.equal(newOnly.eventName, 'MODIFY');
    assert.equal(newOnly.dynamodb?.OldImage, undefined);
    assert.equal(newOnly.dynamodb?.NewImage?.['v']?.N, '2');
    assert.ok(BigInt(a.dynamodb!.SequenceNumber!) < BigInt(b.dynamodb!.SequenceNumber!));
    assert.ok(BigInt(b.dynamodb!.SequenceNumber!) < BigInt(c.dynamodb!.SequenceNumber!));
    assert.equal(a.awsRegion, 'eu-south-1');
    s.trim(2);
    assert.deepEqual(s.read(0, 10), [c]);
    assert.equal(s.end, 3);
  });

  test('firstFailedIndex: success, lowest failure, unknown identifier', () => {
    const s = new LocalStream('arn', 'us-east-1');
    const batch = [1, 2, 3].map((v) => s.append({ id: { S: 'a' } }, undefined, { id: { S: 'a' }, v: { N: String(v) } }));
    const seq = (i: number) => batch[i]!.dynamodb!.SequenceNumber!;
    assert.equal(firstFailedIndex(batch, { batchItemFailures: [] }), -1);
    assert.equal(firstFailedIndex(batch, undefined), -1);
    assert.equal(firstFailedIndex(batch, { batchItemFailures: [{ itemIdentifier: seq(2) }, { itemIdentifier: seq(1) }] }), 1);
    assert.equal(firstFailedIndex(batch, { batchItemFailures: [{ itemIdentifier: 'nope' }] }), 0);
  });

  test('retries from the failed record, keeps order, and drops a record after the retry limit', async () => {
    const s = new LocalStream('arn', 'us-east-1');
    const seen: string[] = [];
    let failuresLeft = 2;
    const invoke = async (event: DynamoDBStreamEvent) => {
      const versions = event.Records.map((r: DynamoDBRecord) => r.dynamodb!.NewImage!['v']!.N!);
      seen.push(versions.join(','));
      const bad = event.Records.find((r) => r.dynamodb!.NewImage!['v']!.N === '2' && failuresLeft-- > 0);
      const poison = event.Records.find((r) => r.dynamodb!.NewImage!['v']!.N === '4');
      const failed = bad ?? poison;
      return { batchItemFailures: failed ? [{ itemIdentifier: failed.dynamodb!.SequenceNumber! }] : [] };
    };
    const esm = new LocalEventSourceMapping(s, invoke, { batchSize: 10, maximumRetryAttempts: 2, retryDelayMs: 1 });
    for (const v of [1, 2, 3]) s.append({ id: { S: 'a' } }, undefined, { id: { S: 'a' }, v: { N: String(v) } });
    esm.start();
    const deadline = Date.now() + 3000;
    while (esm.position < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(seen, ['1,2,3', '2,3', '2,3']);
    s.append({ id: { S: 'a' } }, undefined, { id: { S: 'a' }, v: { N: '4' } });
    s.append({ id: { S: 'a' } }, undefined, { id: { S: 'a' }, v: { N: '5' } });
    while (esm.position < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await esm.stop();
    assert.deepEqual(seen.slice(3), ['4,5', '4,5', '4,5', '5']);
    assert.equal(esm.stats.dropped, 1);
  });
});

describe('local Lambda process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lambda-process-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('an invocation that never answers fails after the function timeout; the next one still runs', async () => {
    const bundle = join(dir, 'handler.mjs');
    writeFileSync(bundle, 'export const handler = async (event) => (event.hang ? new Promise(() => {}) : { echoed: event.n });\n');
    const lambda = await startLambdaProcess({ name: 'hang', bundle, env: {}, log: () => {}, invokeTimeoutMs: 300 });
    try {
      const started = Date.now();
      await assert.rejects(lambda.invoke({ hang: true }), /hang failed: no answer within 300 ms/);
      assert.ok(Date.now() - started < 3000);
      assert.deepEqual(await lambda.invoke({ n: 7 }), { echoed: 7 });
    } finally {
      await lambda.stop();
    }
    await assert.rejects(lambda.invoke({ n: 8 }), /hang failed: (cannot reach the process|process exited)/);
  });
});

describe('AppSync templates on the local DynamoDB data source', () => {
  let dynamo: LocalDynamo;
  let stream: LocalStream;
  let schema: ReturnType<typeof buildFanoutSchema>;
  before(async () => {
    dynamo = await startLocalDynamo();
    await dynamo.client.send(new CreateTableCommand(fanoutStateCreateTableInput('fanout-test')));
    stream = new LocalStream('arn', 'us-east-1', 'NEW_IMAGE');
    schema = buildFanoutSchema(
      new Map(
        FANOUT_RESOLVERS.map((spec) => [
          `${spec.typeName}.${spec.fieldName}`,
          new LocalDynamoDBResolver({
            client: dynamo.client,
            tableName: 'fanout-test',
            stream,
            requestTemplate: readTemplate(spec.requestTemplateFile),
            responseTemplate: readTemplate(spec.responseTemplateFile),
          }),
        ]),
      ),
    );
  });
  after(async () => dynamo.close());

  test('the putState request template renders a conditional 2018-05-29 PutItem', () => {
    const { util } = appsyncUtil();
    const ctx = { args: { id: 'current', version: 3, payload: { a: [1, 'x'] } } };
    const doc = JSON.parse(render(readFileSync(FANOUT_RESOLVERS[0]!.requestTemplateFile, 'utf8'), { ctx, context: ctx, util })) as Record<string, any>;
    assert.equal(doc['version'], '2018-05-29');
    assert.equal(doc['operation'], 'PutItem');
    assert.deepEqual(doc['key'], { id: { S: 'current' } });
    assert.deepEqual(doc['attributeValues']['payload'], { S: '{"a":[1,"x"]}' }, 'payload is stored as JSON text');
    assert.match(doc['attributeValues']['writtenAt']['N'], /^\d{13}$/);
    assert.equal(doc['condition']['expression'], 'attribute_not_exists(#id) OR #version < :version');
    assert.deepEqual(doc['condition']['expressionValues'], { ':version': { N: '3' } });
  });

  test('mutations write through the stream in order; a version that does not increase is refused', async () => {
    const put = (version: number) =>
      graphql({ schema, source: PUT_STATE_MUTATION, variableValues: { id: 'current', version, payload: JSON.stringify({ n: version }) } });
    const first = await put(1);
    assert.equal(first.errors, undefined);
    assert.equal((first.data?.['putState'] as { version: number }).version, 1);
    await put(2);
    const refused = await put(2);
    assert.equal(refused.errors?.[0]?.message, 'The conditional request failed');
    assert.equal(refused.errors?.[0]?.extensions['errorType'], 'DynamoDB:ConditionalCheckFailedException');
    assert.deepEqual(stream.records.map((r) => r.eventName), ['INSERT', 'MODIFY']);
    assert.equal(stream.records[1]!.dynamodb!.StreamViewType, 'NEW_IMAGE');
    assert.equal(stream.records[1]!.dynamodb!.OldImage, undefined, 'NEW_IMAGE streams carry no old image');
    assert.equal(stream.records[1]!.dynamodb!.NewImage!['version']!.N, '2');
    const got = await graphql({ schema, source: GET_STATE_QUERY, variableValues: { id: 'current' } });
    const current = got.data?.['getState'] as { version: number; payload: string };
    assert.equal(current.version, 2);
    assert.deepEqual(JSON.parse(current.payload), { n: 2 });
    const missing = await graphql({ schema, source: GET_STATE_QUERY, variableValues: { id: 'nothing' } });
    assert.equal(missing.data?.['getState'], null);
  });
});

describe('consumer configuration', () => {
  const base = { [CONSUMER_ENV.topicArn]: 'arn:aws:sns:us-east-1:1:t', [CONSUMER_ENV.tableName]: 'fanout-state' };
  test('defaults, and queue names under the shared prefix', () => {
    const config = readConsumerConfig({ ...base, [CONSUMER_ENV.taskId]: 'abc' });
    assert.equal(config.waitTimeS, 20);
    assert.equal(config.batchSize, 10);
    assert.equal(config.createDlqAlarm, true);
    assert.deepEqual(consumerQueueNames('sst', 'abc'), { queue: 'sst-fanout-task-abc', dlq: 'sst-fanout-task-abc-dlq', alarm: 'sst-fanout-task-dlq-abc' });
    assert.deepEqual(consumerQueueNames('team-b', 'abc').queue, 'team-b-fanout-task-abc');
  });
  test('fails fast with plain messages', () => {
    assert.throws(() => readConsumerConfig({ [CONSUMER_ENV.tableName]: 'x' }), /FANOUT_TOPIC_ARN is required/);
    assert.throws(() => readConsumerConfig({ ...base, [CONSUMER_ENV.taskId]: 'bad id!' }), /letters, digits/);
    assert.throws(() => readConsumerConfig({ ...base, [CONSUMER_ENV.waitTimeS]: '21' }), /from 1 to 20/);
    assert.throws(() => readConsumerConfig({ ...base, [CONSUMER_ENV.waitTimeS]: '0' }), /FANOUT_WAIT_TIME_S must be an integer from 1 to 20/);
    assert.throws(() => readConsumerConfig({ ...base, [CONSUMER_ENV.createDlqAlarm]: 'yes' }), /"true" or "false"/);
  });
});

describe('fan-out report', () => {
  const mutation = (version: number, sentAt: number): MutationResult => ({ version, sentAt, appsyncMs: 10, writtenAt: sentAt + 5, error: undefined });
  const delivery = (taskId: string, version: number, e2e: number): DeliveryRecord => ({
    taskId,
    stateId: 'current',
    version,
    outcome: 'applied',
    messageId: `${taskId}-${version}`,
    receiveCount: 1,
    writtenAt: 0,
    appliedAt: e2e,
    hops: { streamMs: 1, snsMs: 1, sqsMs: 1, consumeMs: 1, endToEndMs: e2e },
  });
  const mutations = [mutation(1, 1000), mutation(2, 2000), mutation(3, 3000)];

  test('expects a change only from tasks present for it, and flags missing and late deliveries', () => {
    const report = buildFanoutReport({
      mutations,
      stateId: 'current',
      tasks: [
        { taskId: 'a', readyAt: 0, stoppedAt: undefined },
        { taskId: 'late-joiner', readyAt: 1500, stoppedAt: undefined },
        { taskId: 'left', readyAt: 0, stoppedAt: 3100 },
      ],
      deliveries: [delivery('a', 1, 50), delivery('a', 2, 60), delivery('a', 3, 2500), delivery('late-joiner', 3, 40), delivery('left', 1, 30)],
    });
    const byTask = Object.fromEntries(report.tasks.map((t) => [t.taskId, t]));
    assert.deepEqual([byTask['a']!.expected, byTask['a']!.delivered, byTask['a']!.lateDeliveries], [3, 3, 1]);
    assert.deepEqual([byTask['late-joiner']!.expected, byTask['late-joiner']!.missing], [2, 1]);
    assert.deepEqual([byTask['left']!.expected, byTask['left']!.missing], [1, 0]);
    assert.equal(report.requirement.held, false);
    assert.equal(report.hops.endToEnd.count, 5);
    assert.equal(report.rows.filter((r) => r.outcome === 'missing').length, 1);
  });

  test('holds when every expected delivery is in time; CSV files are RFC 4180 with one row per pair', () => {
    const report = buildFanoutReport({
      mutations,
      stateId: 'current',
      tasks: [{ taskId: 'a,"b"', readyAt: 0, stoppedAt: undefined }],
      deliveries: mutations.map((m) => delivery('a,"b"', m.version, 100)),
    });
    assert.equal(report.requirement.held, true);
    const rows = parse(deliveriesCsv(report), { columns: true }) as Record<string, string>[];
    assert.deepEqual(rows.map((r) => [r['task_id'], r['version'], r['within_requirement']]), [
      ['a,"b"', '1', 'yes'],
      ['a,"b"', '2', 'yes'],
      ['a,"b"', '3', 'yes'],
    ]);
    const summary = { stage: 'local', scenario: 'fanout-quick', hops: report.hops, tasks: report.tasks, totals: report.totals, requirement: report.requirement } as FanoutSummary;
    const csv = fanoutSummaryCsv(summary);
    assert.ok(csv.includes('"a,""b"""'));
    const total = (parse(csv, { columns: true }) as Record<string, string>[]).find((r) => r['section'] === 'total')!;
    assert.equal(total['requirement_held'], 'yes');
  });
});
