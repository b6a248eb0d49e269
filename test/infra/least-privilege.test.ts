import type { Template } from 'aws-cdk-lib/assertions';
import { exampleInventory, synth } from './fixtures';

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };

function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (r) => (r.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
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
        'dynamodb:Scan',
      ]);
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [table, 'Arn'] });
    }
  });
});
