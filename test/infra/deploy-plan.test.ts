import {
  applianceEgressRules,
  cycleShards,
  deployProblems,
  fleetShards,
  groupEgressRules,
  RULES_PER_SECURITY_GROUP,
  SECRET_LIST_BUDGET_CHARS,
  splitIntoShards,
  sshSecretIds,
  sshSecretProblems,
} from '../../infra/deploy-plan';
import { AWS_LIMITS } from '../../infra/limits';
import { cycleTimeoutSeconds } from '../../infra/sizing';
import { parseInventory } from '../../shared/inventory';
import { exampleInventory, fleetInventory } from './fixtures';

describe('splitIntoShards', () => {
  it.each([
    [0, 50, []],
    [1, 50, [1]],
    [50, 50, [50]],
    [51, 50, [26, 25]],
    [120, 50, [40, 40, 40]],
    [101, 50, [34, 34, 33]],
  ])('%i items by %i -> sizes %j', (n, size, expected) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const shards = splitIntoShards(items, size);
    expect(shards.map((s) => s.length)).toEqual(expected);
    // Every item exactly once, in order.
    expect(shards.flat()).toEqual(items);
  });
});

describe('cycleShards', () => {
  it('covers enabled appliances; the SSH cycle only those with SSH settings', () => {
    const inv = parseInventory(
      {
        appliances: [
          { name: 'a', role: 'sma', host: '10.0.0.1' },
          {
            name: 'b',
            role: 'esa',
            host: '10.0.0.2',
            ssh: {
              user: 'u',
              hostKeys: ['SHA256:8Fq3k3Qe6yL2bq5mO8pQm4v0pJm9y3n3T2wq1g7Xc0Y'],
              credentials: { secretId: 's' },
            },
          },
          { name: 'c', role: 'esa', host: '10.0.0.3', enabled: false },
        ],
      },
      't',
    );
    expect(cycleShards(inv, 'probe')).toEqual([
      { cycle: 'probe', shard: { index: 0, count: 1 }, appliances: ['a', 'b'] },
    ]);
    expect(cycleShards(inv, 'ssh')).toEqual([
      { cycle: 'ssh', shard: { index: 0, count: 1 }, appliances: ['b'] },
    ]);
  });
});

describe('applianceEgressRules', () => {
  it('gives each appliance its CPQ port and SSH port, from address or IP host', () => {
    const rules = applianceEgressRules(exampleInventory());
    const pairs = rules.map((r) => `${r.cidr}:${r.port}`).sort();
    expect(pairs).toEqual(
      [
        '10.20.0.10/32:7025',
        '10.20.0.10/32:22',
        '10.20.1.11/32:7025',
        '10.20.1.11/32:22',
        '10.20.2.21/32:7025',
        '10.20.2.21/32:22',
        '10.20.2.22/32:7025',
        '10.20.2.22/32:2222',
      ].sort(),
    );
    expect(rules.find((r) => r.port === 2222)?.description).toBe('SSH esa-c1b.mail.example.com');
  });

  it('merges appliances sharing a CIDR into one rule per port, and maps IPv6', () => {
    const inv = parseInventory(
      {
        appliances: [
          { name: 'a', role: 'esa', host: 'a.example.com', address: '10.1.0.0/24' },
          { name: 'b', role: 'esa', host: 'b.example.com', address: '10.1.0.0/24' },
          { name: 'c', role: 'sma', host: '2001:db8::5', cpqPort: 8025 },
        ],
      },
      't',
    );
    expect(applianceEgressRules(inv)).toEqual([
      { cidr: '10.1.0.0/24', ipv6: false, port: 7025, description: 'CPQ a, CPQ b' },
      { cidr: '2001:db8::5/128', ipv6: true, port: 8025, description: 'CPQ c' },
    ]);
  });

  it('spreads rules over security groups, keeping room for the endpoint rules in the first', () => {
    const rules = applianceEgressRules(fleetInventory(99)); // 100 appliances x (CPQ + SSH) = 200 rules
    const groups = groupEgressRules(rules, 2);
    expect(groups.map((g) => g.length)).toEqual([RULES_PER_SECURITY_GROUP - 2, 60, 60, 22]);
    expect(groups.flat()).toEqual(rules);
  });
});

describe('sshSecretIds', () => {
  it('lists each secret once', () => {
    expect(sshSecretIds(exampleInventory())).toEqual([
      'cpq-monitor/ssh/sma1',
      'arn:aws:secretsmanager:us-east-1:111122223333:secret:cpq-monitor/ssh/esa1-AbCdEf',
      'cpq-monitor/ssh/mailcluster1',
    ]);
  });
});

describe('deployProblems', () => {
  it('accepts the example inventory', () => {
    expect(deployProblems(exampleInventory())).toEqual([]);
  });

  it('names every field a deployment still needs', () => {
    const inv = parseInventory(
      {
        appliances: [
          {
            name: 'a',
            role: 'esa',
            host: 'esa.example.com',
            ssh: {
              user: 'u',
              hostKeys: ['SHA256:8Fq3k3Qe6yL2bq5mO8pQm4v0pJm9y3n3T2wq1g7Xc0Y'],
              credentials: { passwordEnv: 'PW' },
            },
          },
        ],
        deploy: {
          vpc: {
            vpcId: 'vpc-0123456789abcdef0',
            subnetIds: ['subnet-01234567'],
            availabilityZones: ['eu-west-1a'],
          },
          logRetentionDays: 31,
        },
      },
      't',
    );
    expect(deployProblems(inv)).toEqual([
      'appliances[0].address: required to deploy: "esa.example.com" is a DNS name and the security group needs its IP or CIDR',
      'appliances[0].ssh.credentials: the Lambda reads SSH credentials only from Secrets Manager: set secretId',
      'deploy.dynamoDbPrefixListId: required when the stack creates the VPC endpoints (the security group allows HTTPS to the DynamoDB gateway endpoint through it)',
      'deploy.vpc.routeTableIds: required with endpoints on (the DynamoDB gateway endpoint attaches to the route tables of the subnets)',
      expect.stringMatching(/^deploy\.logRetentionDays: expected one of 1, 3, 5, 7, 14, 30,/),
    ]);
  });

  it('needs neither prefix list nor route tables when the VPC brings its own NAT', () => {
    const inv = parseInventory(
      {
        appliances: [{ name: 'a', role: 'esa', host: '10.0.0.1' }],
        deploy: {
          vpc: {
            vpcId: 'vpc-0123456789abcdef0',
            subnetIds: ['subnet-01234567'],
            availabilityZones: ['eu-west-1a'],
            endpoints: false,
          },
        },
      },
      't',
    );
    expect(deployProblems(inv)).toEqual([]);
  });

  it('refuses a fleet whose egress rules exceed five security groups', () => {
    expect(deployProblems(fleetInventory(160))).toEqual([
      'appliances: 322 egress rules need more than 5 security groups of 60 rules; give appliances on one subnet a shared CIDR address',
    ]);
  });

  it('fits the largest shard an inventory can describe in a schedule input', () => {
    // 1,000 appliances (the largest shardSize) of 63-character names (the longest name).
    const long = parseInventory(
      {
        appliances: Array.from({ length: 1000 }, (_, i) => ({
          name: `${'x'.repeat(59)}${String(i).padStart(4, '0')}`,
          role: 'esa',
          host: '10.0.0.1',
        })),
        deploy: { dynamoDbPrefixListId: 'pl-02cd2c6b', shardSize: 1000 },
      },
      't',
    );
    const input = Buffer.byteLength(JSON.stringify(cycleShards(long, 'probe')[0]));
    expect(input).toBeGreaterThan(64_000);
    expect(input).toBeLessThan(AWS_LIMITS.scheduleInputBytes);
    expect(deployProblems(long)).toEqual([]);
  });
});

describe('cycleTimeoutSeconds', () => {
  it('ends a run before the next one of the same shard, within Lambda maximum', () => {
    expect(cycleTimeoutSeconds(1)).toBe(50);
    expect(cycleTimeoutSeconds(5)).toBe(290);
    expect(cycleTimeoutSeconds(60)).toBe(900);
  });
});

describe('fleetShards: an SMA and its ESAs share a shard', () => {
  const fleet = (smas: number, esasPer: number, shardSize: number) =>
    parseInventory(
      {
        deploy: { shardSize },
        appliances: Array.from({ length: smas }, (_, s) => [
          { name: `sma${s}`, role: 'sma', host: `10.0.${s}.1` },
          ...Array.from({ length: esasPer }, (_, e) => ({
            name: `esa${s}-${e}`,
            role: 'esa',
            host: `10.0.${s}.${e + 10}`,
            quarantine: { sma: `sma${s}` },
          })),
        ]).flat(),
      },
      't',
    );

  it('packs whole groups without splitting them', () => {
    // 5 groups of 10 (an SMA and 9 ESAs) into shards of 25: 20 + 20 + 10.
    const shards = fleetShards(fleet(5, 9, 25));
    expect(shards.map((s) => s.length)).toEqual([20, 20, 10]);
    for (const shard of shards) {
      for (const esa of shard.filter((n) => n.startsWith('esa'))) {
        expect(shard).toContain(`sma${esa.slice(3, esa.indexOf('-'))}`);
      }
    }
  });

  it('splits a group larger than a shard evenly, the SMA in its first part', () => {
    const shards = fleetShards(fleet(1, 119, 50));
    expect(shards.map((s) => s.length)).toEqual([40, 40, 40]);
    expect(shards[0]![0]).toBe('sma0');
    expect(shards.flat()).toHaveLength(120);
  });

  it('gives both cycles the same shard numbers, so their memories name the same appliances', () => {
    const inv = fleet(3, 4, 10);
    const probe = cycleShards(inv, 'probe');
    expect(probe.map((s) => s.shard)).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
    expect(probe.flatMap((s) => s.appliances)).toHaveLength(15);
  });
});

describe('SSH secrets: named one by one while they fit, by prefix and tag beyond', () => {
  const named = (count: number, deploy: Record<string, unknown> = {}) => {
    const base = fleetInventory(count - 1);
    return parseInventory(
      {
        ...base,
        appliances: base.appliances.map((a) => ({
          ...a,
          ssh: { ...a.ssh!, credentials: { secretId: `cpq-monitor/ssh/${a.name}` } },
        })),
        deploy: { ...base.deploy, ...deploy },
      },
      'named.yaml',
    );
  };

  it('accepts a few dozen secrets named one by one', () => {
    expect(sshSecretProblems(named(40))).toEqual([]);
  });

  it('refuses more named secrets than the SSH role policy holds, naming the fix', () => {
    const problems = sshSecretProblems(named(200));
    expect(problems).toEqual([
      expect.stringMatching(
        new RegExp(
          `^deploy\\.sshSecrets: 200 SSH secrets named one by one need [\\d,]+ characters of IAM policy, over the ${SECRET_LIST_BUDGET_CHARS.toLocaleString('en-US')} .*set deploy\\.sshSecrets\\.prefix`,
        ),
      ),
    ]);
    expect(deployProblems(named(200))).toContain(problems[0]);
  });

  it('accepts any number of secrets under deploy.sshSecrets.prefix', () => {
    expect(sshSecretProblems(named(200, { sshSecrets: { prefix: 'cpq-monitor/ssh/' } }))).toEqual([]);
  });

  it('refuses a secret outside the prefix (the function could not read it)', () => {
    const inv = named(3, { sshSecrets: { prefix: 'cpq-monitor/esa-ssh/' } });
    expect(sshSecretProblems(inv)).toEqual([
      'deploy.sshSecrets.prefix: 3 secret(s) are not under "cpq-monitor/esa-ssh/" and could not be read (first: cpq-monitor/ssh/sma0); rename them or choose a prefix that holds them all',
    ]);
  });

  it.each(['*', 'cpq*', 'cpq-monitor/*', 'ab/', '/', '----', 'cpq-monitor/ssh', 'cpq-monitor/ssh/esa?/'])(
    'refuses the unspecific or wildcard prefix %j at validation',
    (prefix) => {
      expect(() => named(2, { sshSecrets: { prefix } })).toThrow(
        /deploy\.sshSecrets\.prefix: expected a specific secret name prefix/,
      );
    },
  );
});

describe('deploy.endpointAzs', () => {
  it('may not ask for more zones than the functions have subnets', () => {
    const one = fleetInventory(1, { endpointAzs: 1 });
    expect(deployProblems(one)).toEqual([]);
    expect(deployProblems(fleetInventory(1, { endpointAzs: 3 }))).toEqual([
      'deploy.endpointAzs: 3 zones asked for, but the functions run in 2 subnet(s); at most that many',
    ]);
  });
});
