/**
 * Where failed cycle invocations go: the cycle functions' dead-letter queue and the schedules'
 * target dead-letter queue. Encrypted, TLS-only, and kept for SQS's longest retention so a
 * failure seen days later can still be read.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The queue of failed cycle invocations (Lambda async failures and undeliverable schedules). */
export class FailureQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }
}
