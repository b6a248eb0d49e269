/**
 * The deployed stack's alert table for a spawned `cpq-monitor`: a real DynamoDB-compatible engine
 * (dynalite on 127.0.0.1) holding the table the stack creates, reached by the command through the
 * SDK's standard `AWS_ENDPOINT_URL_DYNAMODB` with dummy credentials. The stack's other answers
 * (its AlertTableName output for `--stack`, STS's "who are you") come from aws-stack-preload.js,
 * which leaves DynamoDB alone.
 */
import { join } from 'node:path';
import type { AlertRecord } from '../../shared/alerts/record';
import { DynamoDbAlertStore } from '../../shared/state/alerts/dynamodb';
import { createAlertDocumentClient } from '../../shared/state/dynamodb';
import {
  createAlertTable,
  type Dynalite,
  LOOPBACK_CREDENTIALS,
  LOOPBACK_REGION,
  startDynalite,
} from './dynalite';
import type { RunOptions } from './run-cli';

/** The stack name the preload answers for. */
export const STACK = 'CpqMonitor';
/** The table name the preload gives as the stack's AlertTableName output (the docs' example name). */
export const TABLE = `${STACK}-AlertingAlertState1234-ABCD`;

/** A running engine with the stack's alert table, and how to point the command at it. */
export interface DeployedTable {
  engine: Dynalite;
  /** Run options of a command against this table (the preload, the endpoint, credentials, region). */
  options: RunOptions;
  /** Stores an open alert the way the cycles store it (the project's DynamoDB alert store). */
  openAlert(id: string): Promise<AlertRecord>;
}

/** Starts dynalite with the alert table; `close()` the engine when done. */
export async function startDeployedTable(): Promise<DeployedTable> {
  const engine = await startDynalite();
  try {
    await createAlertTable(engine.client, TABLE);
  } catch (err) {
    await engine.close();
    throw err;
  }
  const store = new DynamoDbAlertStore(createAlertDocumentClient(engine.client), { tableName: TABLE });
  return {
    engine,
    options: {
      node: ['--require', join(__dirname, 'aws-stack-preload.js')],
      env: {
        CPQ_TEST_STACK: STACK,
        AWS_REGION: LOOPBACK_REGION,
        AWS_ENDPOINT_URL_DYNAMODB: engine.endpoint,
        AWS_ACCESS_KEY_ID: LOOPBACK_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOOPBACK_CREDENTIALS.secretAccessKey,
      },
    },
    async openAlert(id) {
      const record = alarmRecord(id);
      const put = await store.put(record, 0);
      if (put.status !== 'written') throw new Error(`alert ${id} already in the table`);
      return put.record;
    },
  };
}

/** An alert paged two cycles ago and still failing (its page delivered: the outbox is empty). */
function alarmRecord(id: string): AlertRecord {
  const slash = id.lastIndexOf('/');
  const subject = id.slice(0, slash);
  const check = id.slice(slash + 1);
  // A path finding's appliance is the listener's end (`<from>-><to>`).
  const appliance = subject.split('->').at(-1)!;
  const since = new Date(Date.now() - 10 * 60_000).toISOString();
  const paged = new Date(Date.now() - 5 * 60_000).toISOString();
  return {
    id,
    appliance,
    check,
    state: 'alarm',
    severity: 'critical',
    pagedSeverity: 'critical',
    failures: 2,
    successes: 0,
    since,
    changedAt: paged,
    lastNotifiedAt: paged,
    finding: {
      id,
      appliance,
      check,
      severity: 'critical',
      summary: `${subject}: ${check} failing`,
      evidence: [`${check} seen on ${subject}`],
      remediation: ['see the runbook'],
      runbook: check,
    },
    muted: null,
    sequence: 1,
    outbox: [],
    version: 0,
  };
}
