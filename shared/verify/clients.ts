/**
 * The AWS clients `cpq-monitor verify` uses, built in one place (so their timeouts and retries
 * change in one place). Tests replace them through aws-sdk-client-mock.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Every client verify calls. */
export interface VerifyClients {
  cloudformation: CloudFormationClient;
  sns: SNSClient;
  cloudwatch: CloudWatchClient;
  logs: CloudWatchLogsClient;
  lambda: LambdaClient;
  sqs: SQSClient;
}

/** Clients for one region (default: the SDK's, from AWS_REGION or the profile), three attempts each. */
export function createVerifyClients(region?: string): VerifyClients {
  const config = { maxAttempts: 3, ...(region === undefined ? {} : { region }) };
  return {
    cloudformation: new CloudFormationClient(config),
    sns: new SNSClient(config),
    cloudwatch: new CloudWatchClient(config),
    logs: new CloudWatchLogsClient(config),
    lambda: new LambdaClient(config),
    sqs: new SQSClient(config),
  };
}
