import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord, StreamRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

type Image = Record<string, SdkAttributeValue>;
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/**
 * A DynamoDB stream for one table, fed from the write path, carrying the images its view type names: dynalite
 * has no streams, so the local resolver appends a record after each successful write, in commit
 * order (writes to a key are serialized by the caller). One shard: records are in order for every key.
 */
export class LocalStream extends EventEmitter {
  readonly records: DynamoDBRecord[] = [];
  /** Index of records[0] in the shard; records before it were trimmed. */
  private trimmed = 0;
  private sequence = 100_000_000_000_000_000_000n;

  constructor(
    readonly streamArn: string,
    private readonly region: string,
    readonly viewType: StreamViewType = 'NEW_AND_OLD_IMAGES',
  ) {
    super();
  }

  /** Appends the record for one write: INSERT (no old image), MODIFY (both) or REMOVE (no new image). */
  append(keys: Image, oldImage: Image | undefined, newImage: Image | undefined): DynamoDBRecord {
    if (oldImage === undefined && newImage === undefined) throw new Error('A stream record needs an old or a new image.');
    this.sequence += 1n;
    const eventName = oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY';
    const dynamodb: StreamRecord = {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: keys as StreamRecord['Keys'],
      SequenceNumber: this.sequence.toString(),
      StreamViewType: this.viewType,
    };
    const withNew = this.viewType === 'NEW_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = this.viewType === 'OLD_IMAGE' || this.viewType === 'NEW_AND_OLD_IMAGES';
    if (withNew && newImage !== undefined) dynamodb.NewImage = newImage as StreamRecord['NewImage'];
    if (withOld && oldImage !== undefined) dynamodb.OldImage = oldImage as StreamRecord['OldImage'];
    dynamodb.SizeBytes = Buffer.byteLength(JSON.stringify({ keys, old: dynamodb.OldImage, new: dynamodb.NewImage }));
    const record: DynamoDBRecord = {
      eventID: randomUUID().replaceAll('-', ''),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb,
      eventSourceARN: this.streamArn,
    };
    this.records.push(record);
    this.emit('record');
    return record;
  }

  /** Position of the next record to append (a shard iterator for LATEST). */
  get end(): number {
    return this.trimmed + this.records.length;
  }

  /** Up to `limit` records from position `from`. */
  read(from: number, limit: number): DynamoDBRecord[] {
    const start = Math.max(0, from - this.trimmed);
    return this.records.slice(start, start + limit);
  }

  /** Drops records before `position` (the consumer's checkpoint), like the 24 h retention but bounded by use. */
  trim(position: number): void {
    const drop = Math.min(this.records.length, position - this.trimmed);
    if (drop <= 0) return;
    this.records.splice(0, drop);
    this.trimmed += drop;
  }
}
