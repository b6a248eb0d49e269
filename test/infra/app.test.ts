import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { buildCpqMonitorApp, inlineCaFiles, inventoryFromContext } from '../../infra/cpq-monitor-app';
import { ConfigError } from '../../shared/errors';
import { InventoryError, loadInventory, parseInventory } from '../../shared/inventory';
import { EXAMPLE_FILE, tempDir, testApp } from './fixtures';

const ROOT = path.resolve(__dirname, '../..');

function tempFile(name: string, text: string): string {
  const file = path.join(tempDir('cpq-inv-'), name);
  writeFileSync(file, text);
  return file;
}

function allConstructs(root: IConstruct): IConstruct[] {
  return [root, ...root.node.children.flatMap(allConstructs)];
}

describe('cdk-nag AwsSolutions checks', () => {
  it('pass on the example stack, without warnings', () => {
    const app = testApp({ inventory: EXAMPLE_FILE });
    const stack = buildCpqMonitorApp(app);
    const assembly = app.synth();
    const report = JSON.parse(readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    expect(report.pluginReports.flatMap((r: { violations: unknown[] }) => r.violations)).toEqual([]);
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions'))).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('would fail synth on a violation (the check is live)', () => {
    const app = testApp({ inventory: EXAMPLE_FILE });
    const stack = buildCpqMonitorApp(app);
    new Queue(stack, 'PlainQueue'); // no SSL enforcement, no DLQ
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('acknowledges only named rules, each with a reason', () => {
    const app = testApp({ inventory: EXAMPLE_FILE });
    const stack = buildCpqMonitorApp(app);
    const acks = allConstructs(stack).flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) => Object.entries(m.data as Record<string, string>)),
    );
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) {
      // Recorded as `<plugin>::<rule>[finding]`: the AwsSolutions plugin's rule ids only.
      expect(id).toMatch(/^AwsSolutions::AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(reason.length).toBeGreaterThan(60);
    }
  });
});

describe('inventory from context', () => {
  it('uses the runtime loader: a bad inventory fails with its exact text', () => {
    const file = tempFile('bad.yaml', 'appliances:\n  - name: sma1\n    role: router\n    host: 10.0.0.1\n');
    const expected = (() => {
      try {
        loadInventory(file);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error('the inventory should not validate');
    })();
    expect(expected).toContain('appliances[0] (sma1).role');
    const app = testApp({ inventory: file });
    expect(() => buildCpqMonitorApp(app)).toThrow(InventoryError);
    expect(() => buildCpqMonitorApp(testApp({ inventory: file }))).toThrow(expected);
  });

  it('fails when the inventory is valid but cannot be deployed, naming the field', () => {
    const file = tempFile(
      'dns.yaml',
      'appliances:\n  - { name: esa1, role: esa, host: esa1.example.com }\ndeploy: { dynamoDbPrefixListId: pl-02cd2c6b }\n',
    );
    expect(() => buildCpqMonitorApp(testApp({ inventory: file }))).toThrow(
      `${file}: invalid inventory:\n  - appliances[0].address: required to deploy`,
    );
  });

  it('asks for -c inventory when none is given', () => {
    expect(() => buildCpqMonitorApp(testApp())).toThrow(ConfigError);
    expect(() => buildCpqMonitorApp(testApp())).toThrow(/-c inventory=FILE/);
  });

  it('merges deploy settings from context and re-validates them', () => {
    const app = testApp({
      inventory: EXAMPLE_FILE,
      alertEmail: 'second@example.com, third@example.com',
      endpoints: 'false',
      subnetIds: 'subnet-0aaaaaaaaaaaaaaa1,subnet-0bbbbbbbbbbbbbbb2',
    });
    const { inventory, source } = inventoryFromContext(app.node);
    expect(source).toBe(`${EXAMPLE_FILE} with context subnetIds, endpoints, alertEmail`);
    expect(inventory.deploy?.vpc?.endpoints).toBe(false);
    expect(inventory.deploy?.vpc?.subnetIds).toEqual([
      'subnet-0aaaaaaaaaaaaaaa1',
      'subnet-0bbbbbbbbbbbbbbb2',
    ]);
    expect(inventory.deploy?.subscriptions.email).toEqual([
      'mail-oncall@example.com',
      'second@example.com',
      'third@example.com',
    ]);
    const stack = buildCpqMonitorApp(app);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    const topic = { Ref: stack.getLogicalId(stack.alerting.topic.node.defaultChild as never) };
    template.resourcePropertiesCountIs('AWS::SNS::Subscription', { Protocol: 'email', TopicArn: topic }, 3);
  });

  it('rejects a bad context value like a bad inventory field', () => {
    const app = testApp({ inventory: EXAMPLE_FILE, alertSms: '5551234' });
    expect(() => inventoryFromContext(app.node)).toThrow(
      `${EXAMPLE_FILE} with context alertSms: invalid inventory:\n  - deploy.subscriptions.sms[1]: expected an E.164 number`,
    );
  });
});

describe('infra/app.ts as cdk runs it', () => {
  const run = (context: Record<string, unknown>) =>
    spawnSync(process.execPath, ['bin/run-ts.js', 'infra/app.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      // How the cdk CLI hands context and the output directory to the app.
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
        CDK_OUTDIR: tempDir('cpq-app-'),
      },
    });

  it('exits 1 with the inventory error text for a bad inventory', () => {
    const file = tempFile('bad.yaml', 'appliances: []\n');
    const result = run({ inventory: file });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `${file}: invalid inventory:\n  - appliances (line 1): list at least one appliance\n`,
    );
  });
});

describe('CA bundles reach the Lambdas', () => {
  const caPem = '-----BEGIN CERTIFICATE-----\nMIIBlab\n-----END CERTIFICATE-----\n';

  it('reads every tls.caFile relative to the inventory and ships it as tls.caPem', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpq-app-ca-'));
    try {
      writeFileSync(join(dir, 'corp-ca.pem'), caPem);
      const inv = parseInventory(
        {
          tls: { caFile: 'corp-ca.pem' },
          appliances: [{ name: 'sma1', role: 'sma', host: '10.0.0.10', tls: { caFile: 'corp-ca.pem' } }],
        },
        't',
      );
      const out = inlineCaFiles(inv, join(dir, 'inventory.yaml'));
      expect(out.tls).toEqual({ caPem });
      expect(out.appliances[0]!.tls).toEqual({ caPem });
      // What ships still validates with the runtime's schema.
      expect(parseInventory(JSON.parse(JSON.stringify(out)), 'bundled').tls.caPem).toBe(caPem);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships only the CERTIFICATE blocks of a caFile, not the text around them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpq-app-ca-'));
    try {
      // What `openssl pkcs12 -nokeys` writes: attribute lines around each certificate.
      const exported = `Bag Attributes\n    friendlyName: corp\nsubject=CN = Corp CA\n${caPem}\n${caPem}trailing note\n`;
      writeFileSync(join(dir, 'corp-ca.pem'), exported);
      const inv = parseInventory(
        { tls: { caFile: 'corp-ca.pem' }, appliances: [{ name: 'sma1', role: 'sma', host: '10.0.0.10' }] },
        't',
      );
      expect(inlineCaFiles(inv, join(dir, 'inventory.yaml')).tls).toEqual({ caPem: `${caPem}${caPem}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['PKCS#8', { type: 'pkcs8' as const }],
    ['encrypted PKCS#8', { type: 'pkcs8' as const, cipher: 'aes-256-cbc', passphrase: 'x' }],
    ['SEC1 EC', { type: 'sec1' as const }],
  ])('refuses a caFile that also holds a %s private key, naming the file, and ships nothing', (_, enc) => {
    const dir = mkdtempSync(join(tmpdir(), 'cpq-app-ca-'));
    try {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const key = privateKey.export({ format: 'pem', ...enc } as never) as string;
      writeFileSync(join(dir, 'cert-and-key.pem'), `${caPem}${key}`);
      const inv = parseInventory(
        {
          appliances: [{ name: 'sma1', role: 'sma', host: '10.0.0.10', tls: { caFile: 'cert-and-key.pem' } }],
        },
        't',
      );
      expect(() => inlineCaFiles(inv, join(dir, 'inventory.yaml'))).toThrow(
        /appliances\[0\]\.tls\.caFile: .*cert-and-key\.pem holds a private key/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an inline caPem that holds a private key', () => {
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString();
    expect(() =>
      parseInventory(
        { tls: { caPem: `${caPem}${key}` }, appliances: [{ name: 'sma1', role: 'sma', host: '10.0.0.10' }] },
        't',
      ),
    ).toThrow(/caPem.*private key/);
  });

  it('fails synth naming the field when a caFile is missing or holds no certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cpq-app-ca-'));
    try {
      writeFileSync(join(dir, 'not-a-ca.txt'), 'hello');
      const inv = parseInventory(
        {
          tls: { caFile: 'missing.pem' },
          appliances: [{ name: 'sma1', role: 'sma', host: '10.0.0.10', tls: { caFile: 'not-a-ca.txt' } }],
        },
        't',
      );
      expect(() => inlineCaFiles(inv, join(dir, 'inventory.yaml'))).toThrow(
        /tls\.caFile: cannot read .*missing\.pem[\s\S]*appliances\[0\]\.tls\.caFile: .*not-a-ca\.txt holds no PEM certificate/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
