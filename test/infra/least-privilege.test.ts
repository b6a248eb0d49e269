import type { Template } from 'aws-cdk-lib/assertions';
import { parseInventory } from '../../shared/inventory';
import { exampleInventory, fleetInventory, synth } from './fixtures';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

/** The fleet inventory with every appliance's SSH secret replaced. */
function withSecretId(secretId: string) {
  const base = fleetInventory(1);
  return parseInventory(
    {
      ...base,
      appliances: base.appliances.map((a) => ({
        ...a,
        ssh: a.ssh && { ...a.ssh, credentials: { secretId } },
      })),
    },
    'wildcard.yaml',
  );
}

describe('least privilege', () => {
  it('lets the functions make exactly the DynamoDB calls the stores make, on the alert table only', () => {
    // Prepare
    const { stack, template } = synth(exampleInventory());
    const table = stack.getLogicalId(stack.alerting.table.node.defaultChild as never);
    // Act
    const dynamo = statements(template).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
    );
    // Assess
    expect(dynamo).toHaveLength(2);
    for (const s of dynamo) {
      expect([s.Action].flat().sort()).toEqual([
        'dynamodb:BatchGetItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
      ]);
      // The table and its appliance index, nothing else: a cycle never scans the fleet's alerts.
      expect(s.Resource).toEqual([
        { 'Fn::GetAtt': [table, 'Arn'] },
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [table, 'Arn'] }, '/index/by-appliance']] },
      ]);
    }
  });

  it.each([
    '*',
    'cpq-monitor/*',
    'cpq-monitor/ssh/esa?',
    'arn:aws:secretsmanager:us-east-1:111122223333:secret:*',
    'arn:aws:secretsmanager:*:111122223333:secret:cpq-monitor/ssh/esa1-AbCdEf',
    'arn:aws:secretsmanager:us-east-1:111122223333:secret:cpq-monitor/ssh/esa1-??????',
  ])('refuses to synthesise a secret grant from the secret id %j (a wildcard)', (secretId) => {
    expect(() => synth(withSecretId(secretId))).toThrow(
      /secretId .* (not the ARN of one secret|not a Secrets Manager secret name)/,
    );
  });

  it.each(['0.0.0.0/0', '10.0.0.0/8', '10.20.0.0/15', '::/0', '2001:db8::/32'])(
    'refuses an appliance address %s that opens egress to a whole network',
    (address) => {
      const base = fleetInventory(1);
      const inv = parseInventory(
        { ...base, appliances: base.appliances.map((a, i) => (i === 1 ? { ...a, address } : a)) },
        'wide.yaml',
      );
      expect(() => synth(inv)).toThrow(/appliance esa1: address .* would open egress to a whole network/);
    },
  );

  it('keeps egress for an appliance subnet', () => {
    const base = fleetInventory(1);
    const inv = parseInventory(
      {
        ...base,
        appliances: base.appliances.map((a, i) => (i === 1 ? { ...a, address: '10.30.0.0/16' } : a)),
      },
      'subnet.yaml',
    );
    expect(() => synth(inv)).not.toThrow();
  });

  it('still grants a plain name and a full ARN exactly', () => {
    const { template } = synth(withSecretId('cpq/ssh'));
    const reads = statements(template).filter((s) => s.Sid === 'ReadNamedSshSecrets');
    expect(reads).toHaveLength(1);
    expect(JSON.stringify(reads[0]!.Resource)).toContain(':secret:cpq/ssh-??????');
    expect(JSON.stringify(reads[0]!.Resource)).not.toContain('*');
  });
});
