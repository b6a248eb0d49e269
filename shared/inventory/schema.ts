/**
 * The inventory: every appliance cpq-monitor watches and how. Validated once, at the edge
 * (CLI start, Lambda cold start, CDK synth); defaults live here and nowhere else, except each
 * prober's own (port, time limit), which the prober and this schema read from its leaf module.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { isHostOrAddress } from '../hostname';
import { PROBE_DEFAULTS } from '../prober/listener-defaults';
import { READ_DEFAULTS } from '../prober/ssh-defaults';
import { holdsPrivateKey } from '../tls/ca-bundle';
import { TLS_VERSIONS } from '../tls/versions';
import { crossFieldProblems } from './cross-field';
import { LIST_CAPS } from './limits';

/** Every default of the inventory, in one place. */
export const DEFAULTS = {
  cpqPort: PROBE_DEFAULTS.port,
  sshPort: READ_DEFAULTS.port,
  namespace: 'CPQMonitor',
  metricsDetail: 'standard',
  applianceMetrics: false,
  concurrency: 16,
  probeIntervalMinutes: 1,
  sshIntervalMinutes: 5,
  secretCacheMinutes: 60,
  probeTimeoutMs: PROBE_DEFAULTS.timeoutMs,
  sshTimeoutMs: READ_DEFAULTS.timeoutMs,
  expiryWarnDays: PROBE_DEFAULTS.expiryWarnDays,
  cpqQueueName: 'the.cpq.host',
  releaseQueueName: 'the.cpq.release.host',
  queueWarning: 50,
  queueCritical: 500,
  queueGrowthCycles: 3,
  failuresBeforePage: 2,
  successesBeforeRecovery: 2,
  reminderMinutes: 0,
  /** Longest silence `cpq-monitor silence add` accepts (docs/alerts.md#silences). */
  maxSilenceDays: 7,
  runbookUrl: 'docs/runbook.md',
  /** The intermittent rule: K failing of the last N cycles (docs/alerts.md#intermittent-failures). */
  intermittentFailures: 3,
  intermittentCycles: 10,
  shardSize: 50,
  logRetentionDays: 30,
  logLevel: 'info',
  /** Base of the watchdog alarms' runbook links (anchors in docs/deploy.md). */
  deployRunbookUrl: 'docs/deploy.md',
  /** Tag an SSH secret carries to be readable when secrets are granted by prefix (`deploy.sshSecrets`). */
  sshSecretTagKey: 'cpq-monitor',
  sshSecretTagValue: 'ssh-read',
} as const;

/** An appliance's (or a cluster's) name: it is part of finding ids, metric dimensions and file names. */
export const APPLIANCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/**
 * A secret name prefix specific enough to grant by: Secrets Manager name characters only (so no
 * `*` or `?`), at least 4 long, with a letter or digit, ending at a separator (`/`, `-`, `_`,
 * `.`) so that `cpq/ssh/` never also matches `cpq/sshkeys-of-another-team`.
 */
export const SECRET_PREFIX = /^(?=.*[A-Za-z0-9])[A-Za-z0-9/_+=.@-]{3,255}[/_.-]$/;
/** Tag keys and values IAM conditions can name (Secrets Manager's tag character set). */
const TAG_TEXT = /^[\p{L}\p{Z}\p{N}_.:/=+@-]{1,128}$/u;

/** OpenSSH host key fingerprint: `SHA256:` and 43 unpadded base64 characters. */
export const SSH_FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}$/;
/** Certificate SHA-256 fingerprint: 32 hex bytes, colons optional, any case. */
export const CERT_FINGERPRINT = /^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/;

const port = z.number().int().min(1).max(65535);
const positiveInt = z.number().int().min(1);

const host = z.string().refine(isHostOrAddress, {
  message: 'expected an IPv4/IPv6 address or a DNS name',
});

const cidr = z.string().refine(
  (c) => {
    const [ip, bits, extra] = c.split('/');
    if (extra !== undefined || !ip) return false;
    const family = isIP(ip);
    if (family === 0) return false;
    if (bits === undefined) return true;
    const n = Number(bits);
    return /^\d+$/.test(bits) && n >= 0 && n <= (family === 4 ? 32 : 128);
  },
  { message: 'expected an IP address or CIDR such as 10.0.0.10/32' },
);

const tlsVersion = z.enum(TLS_VERSIONS);

/** Where the SSH secret comes from: exactly one source. */
const credentials = z
  .strictObject({
    /** AWS Secrets Manager secret id or ARN; its JSON holds `password` or `privateKey` (+ `passphrase`). */
    secretId: z.string().min(1).optional(),
    /** Environment variable holding the password (local runs). */
    passwordEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
      .optional(),
    /** Private key file (local runs). */
    keyFile: z.string().min(1).optional(),
    /** Environment variable holding the key file's passphrase. */
    passphraseEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
      .optional(),
  })
  .refine((c) => [c.secretId, c.passwordEnv, c.keyFile].filter((v) => v !== undefined).length === 1, {
    message: 'expected exactly one of secretId, passwordEnv or keyFile',
  });

const ssh = z.strictObject({
  port: port.default(DEFAULTS.sshPort),
  user: z.string().min(1),
  /** Pinned host keys (several allowed for rotation). There is no trust-on-first-use. */
  hostKeys: z
    .array(z.string().regex(SSH_FINGERPRINT, 'expected an OpenSSH fingerprint like SHA256:<43 base64 chars>'))
    .max(LIST_CAPS.hostKeys)
    .min(1, 'pin at least one host key (get it with: cpq-monitor read HOST --print-host-key)'),
  credentials,
});

/** TLS expectations; every field may be set fleet-wide and per appliance. */
const tls = z.strictObject({
  /** Pinned certificate SHA-256 fingerprints. */
  pins: z
    .array(
      z.string().regex(CERT_FINGERPRINT, 'expected a SHA-256 fingerprint (64 hex digits, colons optional)'),
    )
    .max(LIST_CAPS.pins)
    .optional(),
  /** CA bundle (PEM file) to verify the listener's certificate; relative to the inventory file. */
  caFile: z.string().min(1).optional(),
  /**
   * The CA bundle's PEM text itself. Deploy reads `caFile` at synth and ships it here, inside the
   * function's inventory (the Lambdas have no other files); it may also be written inline.
   */
  caPem: z
    .string()
    .includes('-----BEGIN CERTIFICATE-----', { message: 'expected PEM text with a certificate' })
    .refine((pem) => !holdsPrivateKey(pem), {
      message: 'holds a private key: a CA bundle holds certificates only (docs/probe.md#ca-bundles)',
    })
    .max(262_144)
    .optional(),
  /** The cipher list the connecting appliance offers (its outbound `sslconfig` list). */
  ciphers: z.string().min(1).optional(),
  minVersion: tlsVersion.optional(),
  maxVersion: tlsVersion.optional(),
  servername: z.string().min(1).optional(),
  expiryWarnDays: z.number().int().min(0).max(3650).optional(),
});

const queues = z.strictObject({
  cpqQueueName: z.string().min(1).optional(),
  releaseQueueName: z.string().min(1).optional(),
  /** Active recipients in the CPQ queue that raise a warning / critical finding. */
  warning: z.number().int().min(0).optional(),
  critical: z.number().int().min(0).optional(),
  /** Consecutive SSH cycles of growth that raise a warning even under the threshold. */
  growthCycles: positiveInt.optional(),
});

const appliance = z.strictObject({
  name: z.string().regex(APPLIANCE_NAME, 'expected a name of letters, digits, ".", "_" or "-" (max 63)'),
  role: z.enum(['esa', 'sma']),
  host,
  /** IP or CIDR the monitor connects to; required for deploy when `host` is a DNS name. */
  address: cidr.optional(),
  cpqPort: port.default(DEFAULTS.cpqPort),
  cluster: z.string().regex(APPLIANCE_NAME).optional(),
  /** ESA only: the SMA that receives this ESA's quarantined mail, and the port the ESA uses. */
  quarantine: z
    .strictObject({
      sma: z.string().regex(APPLIANCE_NAME),
      port: port.default(DEFAULTS.cpqPort),
    })
    .optional(),
  ssh: ssh.optional(),
  tls: tls.optional(),
  queues: queues.optional(),
  /**
   * Per-appliance CloudWatch metrics for this appliance (overrides `monitor.applianceMetrics`):
   * 7 billed metrics, 12 at `metricsDetail: detailed` (docs/metrics.md has the price).
   */
  applianceMetrics: z.boolean().optional(),
  /** Set false to keep an appliance listed but not monitored. */
  enabled: z.boolean().default(true),
});

const maintenance = z.strictObject({
  /** Appliance name, or `*` for all. */
  appliance: z.string().min(1),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  reason: z.string().min(1),
});

const monitor = z.strictObject({
  namespace: z
    .string()
    .regex(/^[A-Za-z0-9._/#:-]{1,255}$/)
    .default(DEFAULTS.namespace),
  /** What a per-appliance metric set holds: `detailed` adds per-phase latencies (5 more metrics). */
  metricsDetail: z.enum(['standard', 'detailed']).default(DEFAULTS.metricsDetail),
  /**
   * Per-appliance CloudWatch metrics for every appliance (each appliance can override it). Off by
   * default: fleet metrics and the per-appliance log records cost cents; these cost $2.10 per
   * appliance-month ($3.60 at `detailed`), see docs/metrics.md.
   */
  applianceMetrics: z.boolean().default(DEFAULTS.applianceMetrics),
  concurrency: z.number().int().min(1).max(512).default(DEFAULTS.concurrency),
  probeIntervalMinutes: z.number().int().min(1).max(60).default(DEFAULTS.probeIntervalMinutes),
  sshIntervalMinutes: z.number().int().min(1).max(1440).default(DEFAULTS.sshIntervalMinutes),
  /**
   * How long a fetched SSH secret is reused before Secrets Manager is asked again. A login the
   * appliance refuses refetches the secret at once, so a rotated password works in the same cycle;
   * the cache only bounds how long a *changed* secret that still logs in goes unnoticed.
   */
  secretCacheMinutes: z.number().int().min(1).max(1440).default(DEFAULTS.secretCacheMinutes),
  probeTimeoutMs: z.number().int().min(500).max(60_000).default(DEFAULTS.probeTimeoutMs),
  sshTimeoutMs: z.number().int().min(1000).max(300_000).default(DEFAULTS.sshTimeoutMs),
  /** Name sent in EHLO; default: the machine's hostname. */
  ehloName: z.string().min(1).optional(),
});

const alerting = z.strictObject({
  failuresBeforePage: positiveInt.default(DEFAULTS.failuresBeforePage),
  successesBeforeRecovery: positiveInt.default(DEFAULTS.successesBeforeRecovery),
  /** Minutes between reminders while an alert stays in alarm; 0 for none. */
  reminderMinutes: z.number().int().min(0).default(DEFAULTS.reminderMinutes),
  /** Base of runbook links in pages (the `#anchor` is appended). */
  runbookUrl: z.string().min(1).default(DEFAULTS.runbookUrl),
  /** Longest run-time silence, in days; every silence ends (docs/alerts.md#silences). */
  maxSilenceDays: z.number().int().min(1).max(90).default(DEFAULTS.maxSilenceDays),
  /** A check failing in `failures` of the last `cycles` cycles, never enough in a row to page, pages once. */
  intermittent: z
    .strictObject({
      enabled: z.boolean().default(true),
      failures: z.number().int().min(2).default(DEFAULTS.intermittentFailures),
      // Bounded: the windows travel in the cycle memory, one DynamoDB item.
      cycles: z.number().int().min(2).max(60).default(DEFAULTS.intermittentCycles),
    })
    .refine((v) => v.failures <= v.cycles, {
      message: 'expected failures at most cycles (K failing cycles of the last N)',
    })
    .default({
      enabled: true,
      failures: DEFAULTS.intermittentFailures,
      cycles: DEFAULTS.intermittentCycles,
    }),
});

/** A phone number as SNS takes it for SMS. */
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number like +15551234567');

/** A Teams channel id as the Chatbot configuration takes it (URL-encoded `:` and `@`). */
const TEAMS_CHANNEL_ID = /^[A-Za-z0-9\-_=+/.,]*%3[aA][A-Za-z0-9\-_=+/.,]*%40[A-Za-z0-9\-_=+/.,]*$/;

/** A Secrets Manager secret name or ARN (infra turns it into a grant naming that one secret). */
const secretId = z.string().min(1).max(2048);

/** Chat and pager services fed from the paging topic (read by infra/ only; see docs/alerts.md). */
const integrations = z.strictObject({
  /**
   * AWS Chatbot (Amazon Q Developer in chat applications): pages rendered as custom notifications
   * on a second topic. With `slack` and/or `teams` the stack creates the channel configuration;
   * with neither, it only creates the topic (output `ChatbotTopicArn`) for an existing one.
   */
  chatbot: z
    .strictObject({
      slack: z
        .strictObject({
          /** The workspace (team) id the Chatbot console shows after authorising Slack once. */
          workspaceId: z.string().regex(/^[0-9A-Z]{1,255}$/, 'expected a Slack workspace id like T07EXAMPLE'),
          /** The channel id (end of the channel's link), e.g. C07EXAMPLE. */
          channelId: z.string().regex(/^[A-Za-z0-9]{1,255}$/, 'expected a Slack channel id like C07EXAMPLE'),
        })
        .optional(),
      teams: z
        .strictObject({
          /** The team id (a UUID, from the channel link's `groupId`). */
          teamId: z.guid('expected the Microsoft Teams team id (a GUID)'),
          /** The Microsoft Entra tenant id (a UUID, the link's `tenantId`). */
          tenantId: z.guid('expected the Microsoft Teams tenant id (a GUID)'),
          /**
           * The channel id from the channel link, e.g. `19:...@thread.tacv2`; kept URL-encoded
           * (`19%3A...%40thread.tacv2`), the form the Chatbot configuration takes.
           */
          channelId: z
            .string()
            .min(1)
            .max(256)
            .transform((id) => id.replace(/:/g, '%3A').replace(/@/g, '%40'))
            .refine((id) => TEAMS_CHANNEL_ID.test(id), {
              message: 'expected a Teams channel id like 19:abc...@thread.tacv2 (from the channel link)',
            }),
        })
        .optional(),
    })
    .optional(),
  /** PagerDuty Events API v2: incidents keyed by alert id, resolved by the recovery. */
  pagerduty: z
    .strictObject({
      /** Secret holding the Events API v2 integration (routing) key: the key itself, or `{"routingKey": "..."}`. */
      secretId,
      /** The PagerDuty service region: `us` (events.pagerduty.com) or `eu` (events.eu.pagerduty.com). */
      region: z.enum(['us', 'eu']).default('us'),
    })
    .optional(),
});

/** AWS deployment settings (read by infra/ only). */
const deploy = z.strictObject({
  vpc: z
    .strictObject({
      vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id like vpc-0123456789abcdef0'),
      subnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id'))
        .min(1)
        .max(LIST_CAPS.vpcSubnets),
      availabilityZones: z.array(z.string().min(1)).min(1).max(LIST_CAPS.vpcSubnets),
      /** Interface/gateway endpoints for the AWS APIs; set false when the VPC has a NAT. */
      endpoints: z.boolean().default(true),
      /** Route tables of the subnets, same order; the DynamoDB gateway endpoint attaches to them. */
      routeTableIds: z
        .array(z.string().regex(/^rtb-[0-9a-f]{8,17}$/, 'expected a route table id'))
        .max(LIST_CAPS.vpcSubnets)
        .optional(),
    })
    .refine((v) => v.subnetIds.length === v.availabilityZones.length, {
      message: 'expected one availability zone per subnet id, in the same order',
    })
    .optional(),
  /** Most appliances handled by one scheduled invocation. */
  shardSize: z.number().int().min(1).max(1000).default(DEFAULTS.shardSize),
  logRetentionDays: z.number().int().min(1).default(DEFAULTS.logRetentionDays),
  /** The functions' LOG_LEVEL. */
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default(DEFAULTS.logLevel),
  /**
   * The region's DynamoDB prefix list (`aws ec2 describe-managed-prefix-lists --filters
   * Name=prefix-list-name,Values=com.amazonaws.REGION.dynamodb`): the security group's egress
   * to the DynamoDB gateway endpoint. Needed when the stack creates endpoints.
   */
  dynamoDbPrefixListId: z
    .string()
    .regex(/^pl-[0-9a-f]{8,17}$/, 'expected a prefix list id like pl-02cd2c6b')
    .optional(),
  /** Base of the watchdog alarms' runbook links (the `#anchor` is appended). */
  runbookUrl: z.string().min(1).default(DEFAULTS.deployRunbookUrl),
  /**
   * Grant the SSH function its secrets by name prefix plus a resource tag (attribute-based access)
   * instead of one ARN per secret; needed once the inventory names more secrets than fit in an IAM
   * policy (docs/deploy.md, "SSH secrets at scale"). Every `secretId` must start with the prefix.
   */
  sshSecrets: z
    .strictObject({
      prefix: z
        .string()
        .regex(
          SECRET_PREFIX,
          'expected a specific secret name prefix such as cpq-monitor/ssh/ (4-256 of A-Z a-z 0-9 / _ + = . @ -, ending in / - _ or ., no wildcards)',
        ),
      tagKey: z
        .string()
        .regex(TAG_TEXT, 'expected a tag key (1-128 letters, digits, spaces, _ . : / = + @ -)')
        .default(DEFAULTS.sshSecretTagKey),
      tagValue: z
        .string()
        .regex(TAG_TEXT, 'expected a tag value (1-128 letters, digits, spaces, _ . : / = + @ -)')
        .default(DEFAULTS.sshSecretTagValue),
    })
    .optional(),
  /**
   * Availability zones the interface endpoints are placed in: the first N subnets of the VPC.
   * Default: every subnet's zone (2 for the stack's own VPC). 1 halves the endpoint hours at the
   * price of one zone's outage taking the functions' AWS API calls with it (docs/deploy.md).
   */
  endpointAzs: z.number().int().min(1).max(16).optional(),
  subscriptions: z
    .strictObject({
      email: z.array(z.email()).max(LIST_CAPS.subscriptions).default([]),
      https: z
        .array(z.url({ protocol: /^https$/ }))
        .max(LIST_CAPS.subscriptions)
        .default([]),
      sms: z.array(e164).max(LIST_CAPS.subscriptions).default([]),
    })
    .default({ email: [], https: [], sms: [] }),
  /**
   * A second paging channel for when the paging topic itself is broken (key disabled, policy
   * changed, deleted): its own topic and key, notified directly by every watchdog alarm. Default:
   * none (docs/deploy.md, "When the paging topic itself is broken").
   */
  fallback: z
    .strictObject({
      email: z.array(z.email()).max(LIST_CAPS.fallback).default([]),
      sms: z.array(e164).max(LIST_CAPS.fallback).default([]),
    })
    .refine((f) => f.email.length + f.sms.length > 0, {
      message: 'expected at least one email address or sms number (or leave fallback out)',
    })
    .optional(),
  /** Chat and pager integrations fed from the paging topic; none by default. */
  integrations: integrations.optional(),
});

export const inventorySchema = z
  .strictObject({
    version: z.literal(1).default(1),
    monitor: monitor.default(monitor.parse({})),
    alerting: alerting.default(alerting.parse({})),
    /** Fleet-wide TLS expectations, overridden per appliance. */
    tls: tls.default({}),
    /** Fleet-wide queue thresholds, overridden per appliance. */
    queues: queues.default({}),
    maintenance: z.array(maintenance).max(LIST_CAPS.maintenance).default([]),
    appliances: z.array(appliance).min(1, 'list at least one appliance').max(LIST_CAPS.appliances),
    deploy: deploy.optional(),
  })
  .superRefine((inv, ctx) => {
    for (const p of crossFieldProblems(inv))
      ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
  });

export type Inventory = z.infer<typeof inventorySchema>;
export type Appliance = Inventory['appliances'][number];
export type MaintenanceWindow = Inventory['maintenance'][number];
export type TlsExpectations = z.infer<typeof tls>;
export type QueueThresholds = z.infer<typeof queues>;
export type SshCredentials = z.infer<typeof credentials>;
export type Integrations = z.infer<typeof integrations>;
