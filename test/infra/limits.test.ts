import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CfnWaitConditionHandle } from 'aws-cdk-lib';
import { deployableFleet, FLEET_SECRET_PREFIX } from '../../bench/fleet';
import {
  AWS_LIMITS,
  type CfnTemplate,
  measureTemplate,
  policyChars,
  resolveUpperBound,
  templateLimitProblems,
} from '../../infra/limits';
import { CpqMonitorStack } from '../../infra/stacks/cpq-monitor-stack';
import type { Inventory } from '../../shared/inventory';
import { testApp } from './fixtures';

/** Synthesises the stack and returns every template file CloudFormation would receive, parsed. */
function synthesized(inv: Inventory): { file: string; text: string; template: CfnTemplate }[] {
  const app = testApp();
  new CpqMonitorStack(app, 'CpqMonitor', { inventory: inv, inventorySource: 'generated' });
  const dir = app.synth().directory;
  return readdirSync(dir)
    .filter((f) => /\.template\.json$/.test(f))
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      return { file, text, template: JSON.parse(text) as CfnTemplate };
    });
}

const statement = (resource: string) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: resource });
const policy = (statements: ReturnType<typeof statement>[]) => ({
  Version: '2012-10-17',
  Statement: statements,
});

describe('limits checked on a synthesised template', () => {
  it('measures policies on their resolved JSON without whitespace, intrinsics at their longest', () => {
    const arn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::bucket/', { Ref: 'AWS::AccountId' }]],
    };
    expect(resolveUpperBound(arn)).toBe(`arn:${'x'.repeat(10)}:s3:::bucket/${'x'.repeat(12)}`);
    expect(resolveUpperBound({ 'Fn::GetAtt': ['Table', 'Arn'] })).toHaveLength(320);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a JS template.
    expect(resolveUpperBound({ 'Fn::Sub': 'arn:${AWS::Partition}:sns:${AWS::Region}:x' })).toBe(
      `arn:${'x'.repeat(10)}:sns:${'x'.repeat(16)}:x`,
    );
    const doc = policy([statement('arn:aws:s3:::b/*')]);
    expect(policyChars(doc)).toBe(JSON.stringify(doc).length);
  });

  it('names each broken limit, the figure and the fix', () => {
    const big = 'x'.repeat(AWS_LIMITS.scheduleInputBytes + 1);
    const resources: NonNullable<CfnTemplate['Resources']> = {
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Inline: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: policy(
            Array.from({ length: 200 }, (_, i) => statement(`arn:aws:s3:::bucket-${i}/*`)),
          ),
        },
      },
      Managed: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: policy(
            Array.from({ length: 120 }, (_, i) => statement(`arn:aws:s3:::bucket-${i}/*`)),
          ),
        },
      },
      Schedule: { Type: 'AWS::Scheduler::Schedule', Properties: { Target: { Input: big } } },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Environment: { Variables: { A: 'x'.repeat(4000), B: { Ref: 'Role' } } } },
      },
    };
    for (let i = 0; i < 11; i++) {
      resources[`Extra${i}`] = {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: policy([statement('*')]) },
      };
    }
    for (let i = 0; i < 500; i++) resources[`Pad${i}`] = { Type: 'AWS::CloudFormation::WaitConditionHandle' };
    const outputs = Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`O${i}`, { Value: 'v' }]));
    const template: CfnTemplate = { Resources: resources, Outputs: outputs };
    const text = JSON.stringify(template, undefined, 1).padEnd(AWS_LIMITS.templateBytes + 1);

    const problems = templateLimitProblems('Test', template, text);

    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Test: the template is 1,000,001 bytes, over CloudFormation's 1,000,000-byte template size limit\. Largest parts: AWS::Scheduler::Schedule x1 .* Fix: raise deploy\.shardSize/,
        ),
        expect.stringMatching(
          /^Test: 516 resources, over CloudFormation's limit of 500 resources per stack\. Largest parts: .*AWS::CloudFormation::WaitConditionHandle x500/,
        ),
        "Test: 201 outputs, over CloudFormation's limit of 200 outputs per template. Fix: remove outputs.",
        expect.stringMatching(
          /^Test: role Role's inline policies are [\d,]+ characters, over IAM's role policy size limit of 10,240 characters\. Fix: grant the SSH secrets by prefix and tag \(deploy\.sshSecrets/,
        ),
        expect.stringMatching(
          /^Test: managed policy Managed is [\d,]+ characters, over IAM's managed policy size limit of 6,144 characters/,
        ),
        expect.stringMatching(
          /^Test: role Role has 12 managed policies, over IAM's default quota of 10 managed policies per role/,
        ),
        expect.stringMatching(
          /^Test: schedule Schedule's input is 262,145 bytes, over EventBridge Scheduler's payload limit of 262,144 bytes\. Fix: lower deploy\.shardSize\./,
        ),
        expect.stringMatching(
          /^Test: function Fn's environment variables are 4,3\d\d bytes, over Lambda's 4,096-byte limit/,
        ),
      ]),
    );
    expect(problems).toHaveLength(8);
  });

  it('finds nothing to report in a template within every limit', () => {
    const template: CfnTemplate = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: { Policies: [{ PolicyDocument: policy([statement('*')]) }] },
        },
      },
    };
    expect(templateLimitProblems('Small', template, JSON.stringify(template))).toEqual([]);
  });

  it('stops synth with the limit and the fix when a stack outgrows CloudFormation', () => {
    const app = testApp();
    const stack = new CpqMonitorStack(app, 'CpqMonitor', { inventory: deployableFleet(10) });
    for (let i = 0; i < 460; i++) new CfnWaitConditionHandle(stack, `Padding${i}`);
    expect(() => app.synth()).toThrow(
      /CpqMonitor: 5\d\d resources, over CloudFormation's limit of 500 resources per stack\. Largest parts: .*Fix: raise deploy\.shardSize/,
    );
  });
});

describe.each([1_000, 10_000])('a fleet of %d appliances, every one on SSH with its own secret', (size) => {
  const inv = deployableFleet(size);
  const templates = synthesized(inv);
  const main = templates.find((t) => t.file === 'CpqMonitor.template.json')!;
  const nested = templates.filter((t) => t !== main);
  const figures = templates.map((t) => ({ file: t.file, ...measureTemplate(t.template, t.text) }));

  it('synthesises templates within CloudFormation, IAM, Scheduler and Lambda limits', () => {
    expect(inv.appliances).toHaveLength(size);
    expect(new Set(inv.appliances.map((a) => a.ssh?.credentials.secretId)).size).toBe(size);
    for (const t of templates) expect(templateLimitProblems(t.file, t.template, t.text)).toEqual([]);
    for (const f of figures) {
      expect(f.bytes).toBeLessThanOrEqual(AWS_LIMITS.templateBytes);
      expect(f.resources).toBeLessThanOrEqual(AWS_LIMITS.resources);
      expect(f.outputs).toBeLessThanOrEqual(AWS_LIMITS.outputs);
      expect(f.largestInlinePolicy.chars).toBeLessThanOrEqual(AWS_LIMITS.inlinePolicyCharsPerRole);
      expect(f.largestManagedPolicy.chars).toBeLessThanOrEqual(AWS_LIMITS.managedPolicyChars);
      expect(f.largestScheduleInputBytes).toBeLessThanOrEqual(AWS_LIMITS.scheduleInputBytes);
      expect(f.largestLambdaEnvironmentBytes).toBeLessThanOrEqual(AWS_LIMITS.lambdaEnvironmentBytes);
    }
  });

  it('keeps the main template the same size: only the nested schedule stacks grow', () => {
    const small = synthesized(deployableFleet(10)).find((t) => t.file === 'CpqMonitor.template.json')!;
    expect(main.text.length / small.text.length).toBeLessThan(size === 10_000 ? 1.25 : 1.05);
    const schedules = nested.reduce(
      (n, t) =>
        n +
        Object.values(t.template.Resources ?? {}).filter((r) => r.Type === 'AWS::Scheduler::Schedule').length,
      0,
    );
    expect(schedules).toBeGreaterThanOrEqual((2 * size) / 50);
  });

  it('grants the SSH secrets by prefix and tag, not one ARN per secret', () => {
    const reads = Object.values(main.template.Resources ?? {})
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => (r.Properties!.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
      .filter((s) => JSON.stringify(s.Action).includes('secretsmanager'));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.Condition).toEqual({
      StringEquals: { 'secretsmanager:ResourceTag/cpq-monitor': 'ssh-read' },
    });
    expect(JSON.stringify(reads[0]!.Resource)).toContain(`:secret:${FLEET_SECRET_PREFIX}*`);
    expect(JSON.stringify(reads[0]!.Resource).length).toBeLessThan(300);
  });
});
