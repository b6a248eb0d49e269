/**
 * The operators' managed policy: on-call may write silences and acknowledgements and nothing else
 * (no alert record, no cycle memory, no other table or service), and the stack says where it is.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createAlertDocumentClient } from '../../shared/state/dynamodb';
import { DynamoDbOperatorStore } from '../../shared/state/operators/dynamodb';
import { OPERATOR_ITEMS } from '../../shared/state/table';
import { exampleInventory, synth } from './fixtures';

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
};

/** Actions that only read (everything else counts as a write). */
const READ_ONLY = /^(dynamodb:(GetItem|BatchGetItem|Scan|Query|DescribeTable)|cloudformation:Describe\w+)$/;

let synthesized: ReturnType<typeof synth> | undefined;

function operatorPolicy() {
  synthesized ??= synth(exampleInventory());
  const { stack, template } = synthesized;
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const id = stack.getLogicalId(stack.operators.policy.node.defaultChild as never);
  const table = stack.getLogicalId(stack.alerting.table.node.defaultChild as never);
  const policy = policies[id]!.Properties as {
    PolicyDocument: { Statement: Statement[] };
    Roles?: unknown;
    Groups?: unknown;
    Users?: unknown;
  };
  return { template, policy, statements: policy.PolicyDocument.Statement, table };
}

describe('operator policy', () => {
  it('writes only the silence and ack items of the alert table', () => {
    // Prepare
    const { statements, table } = operatorPolicy();
    // Act
    const writes = statements.filter((s) => [s.Action].flat().some((a) => !READ_ONLY.test(a)));
    // Assess
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(writes).toHaveLength(1);
    expect([writes[0]!.Action].flat()).toEqual(['dynamodb:PutItem']);
    expect(writes[0]!.Resource).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });
    expect(writes[0]!.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'dynamodb:LeadingKeys': [OPERATOR_ITEMS.silences, OPERATOR_ITEMS.acks],
        'dynamodb:Attributes': ['id', 'version', 'items'],
      },
      StringEqualsIfExists: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES', 'dynamodb:ReturnValues': 'NONE' },
    });
  });

  it('lets a put name none of the attributes an alert record is read by (appliance, state, outbox)', async () => {
    // Prepare: what the store really puts, through a mocked DynamoDB.
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(PutCommand).resolves({});
    const store = new DynamoDbOperatorStore(
      createAlertDocumentClient(new DynamoDBClient({ region: 'eu-west-1' })),
      't',
    );
    const allowed = operatorPolicy().statements.find((s) => s.Sid === 'WriteSilencesAndAcksOnly')!.Condition![
      'ForAllValues:StringEquals'
    ]!['dynamodb:Attributes'] as string[];
    // Act
    await store.write('silences', [], 0);
    await store.write('acks', [], 3);
    // Assess: every attribute the store writes or names in its condition is allowed; the alert
    // record's are not.
    for (const call of ddb.commandCalls(PutCommand)) {
      const input = call.args[0].input as PutCommandInput;
      const named = [...Object.keys(input.Item!), ...Object.values(input.ExpressionAttributeNames ?? {})];
      expect(allowed).toEqual(expect.arrayContaining(named));
      expect(input.ReturnValues ?? 'NONE').toBe('NONE');
    }
    for (const attr of ['appliance', 'state', 'outbox', 'expiresAt']) expect(allowed).not.toContain(attr);
    ddb.restore();
  });

  it('reads only the alert table and describes only its own stack', () => {
    const { statements, table } = operatorPolicy();
    const reads = statements.filter((s) => [s.Action].flat().every((a) => READ_ONLY.test(a)));
    const dynamo = reads.filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': [table, 'Arn'] }]);
    const cfn = reads.filter((s) => [s.Action].flat().some((a) => a.startsWith('cloudformation:')));
    expect(cfn.map((s) => s.Resource)).toEqual([{ Ref: 'AWS::StackId' }]);
    expect(statements).toHaveLength(reads.length + 1);
  });

  it('is attached to nobody by the stack (the cycle roles do not get it) and is a stack output', () => {
    const { template, policy } = operatorPolicy();
    expect(policy.Roles).toBeUndefined();
    expect(policy.Groups).toBeUndefined();
    expect(policy.Users).toBeUndefined();
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['OperatorPolicyArn', 'AlertTableName']));
  });

  it('allows exactly the keys the operator store writes', async () => {
    // Prepare: what the store really puts, through a mocked DynamoDB.
    const ddb = mockClient(DynamoDBDocumentClient);
    ddb.on(PutCommand).resolves({});
    const store = new DynamoDbOperatorStore(
      createAlertDocumentClient(new DynamoDBClient({ region: 'eu-west-1' })),
      't',
    );
    const { statements } = operatorPolicy();
    const allowed = statements.find((s) => s.Sid === 'WriteSilencesAndAcksOnly')!.Condition![
      'ForAllValues:StringEquals'
    ]!['dynamodb:LeadingKeys'];
    // Act
    await store.write('silences', [], 0);
    await store.write('acks', [], 3);
    // Assess
    const keys = ddb.commandCalls(PutCommand).map((c) => (c.args[0].input as PutCommandInput).Item!.id);
    expect(keys.sort()).toEqual([...(allowed as string[])].sort());
    ddb.restore();
  });
});
