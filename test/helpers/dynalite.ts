/**
 * A real DynamoDB-compatible engine for tests: dynalite (LevelDB in memory) started in this process
 * on 127.0.0.1, and the alert table created with the layout the stack gives it (alert-table.ts:
 * partition key, the by-appliance index with every attribute projected).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAlertDocumentClient } from '../../shared/state/dynamodb';
import { alertTableDefinition } from './alert-table';

/** Credentials dynalite accepts (it checks that a request is signed, not by whom). */
export const LOOPBACK_CREDENTIALS = { accessKeyId: 'AKIDLOOPBACKTEST', secretAccessKey: 'loopback-secret' };
/** The region every loopback AWS endpoint of the tests answers for. */
export const LOOPBACK_REGION = 'us-east-1';

/** A running dynalite. */
export interface Dynalite {
  /** `http://127.0.0.1:PORT`, for a client's `endpoint` or `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  /** A client of this engine (the caller's code may build its own from `endpoint`). */
  readonly client: DynamoDBClient;
  close(): Promise<void>;
}

// dynalite ships no types: its factory returns a plain http.Server.
type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => Server;

/** Starts dynalite on an ephemeral loopback port; tables are ACTIVE as soon as they are created. */
export async function startDynalite(): Promise<Dynalite> {
  const dynalite = require('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient({ endpoint, region: LOOPBACK_REGION, credentials: LOOPBACK_CREDENTIALS });
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections of clients in other processes would hold close() open.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** Creates the alert table as the stack defines it (key, index; TTL is not enforced by dynalite). */
export async function createAlertTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(new CreateTableCommand(alertTableDefinition(tableName)));
}

/** The engine and this test's own alert table, as `freshAlertTablePerTest` hands them over. */
export interface FreshAlertTable {
  readonly doc: DynamoDBDocumentClient;
  readonly table: string;
}

/**
 * For a test file: starts dynalite before its tests and stops it after, and gives every test a
 * new, empty alert table (`current()`, read in the file's own beforeEach or in a test).
 */
export function freshAlertTablePerTest(): { current(): FreshAlertTable } {
  let engine: Dynalite;
  let doc: DynamoDBDocumentClient;
  let table = '';
  let tables = 0;
  beforeAll(async () => {
    engine = await startDynalite();
    doc = createAlertDocumentClient(engine.client);
  });
  afterAll(() => engine.close());
  beforeEach(async () => {
    table = `cpq-alerts-${++tables}`;
    await createAlertTable(engine.client, table);
  });
  return { current: () => ({ doc, table }) };
}
