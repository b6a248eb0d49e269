/** The failure queue: failed invocations and unrelayed alarms wait there; it should be empty. */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { bad, type CheckLine, ok, type VerifyCheck } from '../check';
import type { VerifyClients } from '../clients';
import { STACK_OUTPUTS } from '../stack';

/** The queue, when the stack has one. */
export const failureQueueCheck: VerifyCheck = ({ clients, stack }) => {
  const queueUrl = stack.outputs[STACK_OUTPUTS.failureQueueUrl];
  if (queueUrl === undefined) return [];
  return [
    {
      check: 'failure queue',
      fix: 'Check that your credentials may call sqs:GetQueueAttributes',
      run: () => failureQueue(clients, queueUrl),
    },
  ];
};

async function failureQueue(clients: VerifyClients, queueUrl: string): Promise<CheckLine[]> {
  const res = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  const n = Object.values(res.Attributes ?? {}).reduce((sum, v) => sum + Number(v ?? 0), 0);
  if (n === 0) return [ok('failure queue', 'empty')];
  return [
    bad(
      'failure queue',
      'critical',
      `${n} message(s): failed cycle invocations or watchdog alarms the relay could not publish`,
      'Read one (aws sqs receive-message --queue-url ...), fix the cause, then purge the queue (docs/deploy.md, "Watchdog: failed invocations")',
    ),
  ];
}
