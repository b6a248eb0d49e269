/**
 * The alert table as the CDK stack creates it (infra/constructs/alerting.ts), as a CreateTable
 * request built from the same constants (shared/state/table.ts). test/infra/stack.test.ts checks
 * it against the synthesized template, so the table the store tests run against cannot drift
 * from the deployed one.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { ALERT_TABLE } from '../../shared/state/table';

/** The CreateTable request of the alert table named `tableName`. */
export function alertTableDefinition(tableName: string): CreateTableCommandInput & {
  AttributeDefinitions: NonNullable<CreateTableCommandInput['AttributeDefinitions']>;
} {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [{ AttributeName: ALERT_TABLE.partitionKey, KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: ALERT_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: ALERT_TABLE.applianceAttribute, AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: ALERT_TABLE.applianceIndex,
        KeySchema: [{ AttributeName: ALERT_TABLE.applianceAttribute, KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
