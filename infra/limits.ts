/**
 * AWS service limits a synthesised template must respect, checked on the template itself so that
 * `cdk synth` fails with the limit and the fix instead of a deployment failing an hour later.
 * Every number is cited in docs/deploy.md ("Limits checked at synth") to the AWS page stating it.
 */

/** The limits, in the unit AWS counts them in. */
export const AWS_LIMITS = {
  /** CloudFormation quotas: template body size in an Amazon S3 object (what `cdk deploy` uploads). */
  templateBytes: 1_000_000,
  /** CloudFormation quotas: resources declared in a stack. */
  resources: 500,
  /** CloudFormation quotas: outputs declared in a template. */
  outputs: 200,
  /** IAM and AWS STS quotas: role policy size, all inline policies of a role together (whitespace not counted). */
  inlinePolicyCharsPerRole: 10_240,
  /** IAM and AWS STS quotas: managed policy size (whitespace not counted). */
  managedPolicyChars: 6_144,
  /** IAM and AWS STS quotas: managed policies attached to a role (default quota; 20 at most on request). */
  managedPoliciesPerRole: 10,
  /** Quotas for Amazon EventBridge Scheduler: the payload (target input) of a schedule, 256 KB. */
  scheduleInputBytes: 262_144,
  /** Lambda quotas: environment variables of a function, in aggregate. */
  lambdaEnvironmentBytes: 4_096,
} as const;

/**
 * Upper bounds for values CloudFormation fills in at deploy time, so sizes measured at synth are
 * never below what IAM and Lambda will count: the longest partition (`aws-us-gov`), a region name
 * (the longest today is 14 characters), a 12-digit account, the longest URL suffix, a stack name
 * (128 at most), and any other reference (an ARN or name of a resource of this stack).
 */
export const RESOLVED_BOUNDS = {
  'AWS::Partition': 10,
  'AWS::Region': 16,
  'AWS::AccountId': 12,
  'AWS::URLSuffix': 20,
  'AWS::StackName': 128,
  'AWS::StackId': 160,
  other: 320,
} as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A synthesised CloudFormation template (the parts the checks read). */
export interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, Json> }>;
  Outputs?: Record<string, unknown>;
  [section: string]: unknown;
}

const placeholder = (n: number) => 'x'.repeat(n);

function refBound(name: string): number {
  return (RESOLVED_BOUNDS as Record<string, number>)[name] ?? RESOLVED_BOUNDS.other;
}

/**
 * The value with every CloudFormation intrinsic replaced by a string as long as the longest value it
 * can resolve to (Fn::Join and Fn::Sub are expanded part by part): its JSON is at least as long as
 * the JSON IAM or Lambda will see after deployment.
 */
export function resolveUpperBound(value: Json): Json {
  if (Array.isArray(value)) return value.map(resolveUpperBound);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = value[key] as Json;
    if (key === 'Ref') return placeholder(refBound(String(arg)));
    if (key === 'Fn::Join' && Array.isArray(arg)) {
      const [sep, parts] = arg as [string, Json[]];
      if (Array.isArray(parts)) {
        return parts.map((p) => stringOf(resolveUpperBound(p))).join(String(sep));
      }
    }
    if (key === 'Fn::Sub') {
      const template = Array.isArray(arg) ? String(arg[0]) : String(arg);
      return template.replace(/\$\{([^}!]+)\}/g, (_m, name: string) => placeholder(refBound(name)));
    }
    if (key.startsWith('Fn::') || key === 'Condition') return placeholder(RESOLVED_BOUNDS.other);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveUpperBound(v)]));
}

function stringOf(v: Json): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Characters of a policy document as IAM counts them: resolved (upper bound), no whitespace. */
export function policyChars(document: Json): number {
  return JSON.stringify(resolveUpperBound(document)).length;
}

/** What a template's size is made of: bytes and resource count per resource type, largest first. */
export function templateComposition(template: CfnTemplate): { type: string; count: number; bytes: number }[] {
  const byType = new Map<string, { count: number; bytes: number }>();
  for (const r of Object.values(template.Resources ?? {})) {
    const entry = byType.get(r.Type) ?? { count: 0, bytes: 0 };
    entry.count += 1;
    entry.bytes += Buffer.byteLength(JSON.stringify(r));
    byType.set(r.Type, entry);
  }
  return [...byType.entries()]
    .map(([type, e]) => ({ type, ...e }))
    .sort((a, b) => b.bytes - a.bytes || b.count - a.count);
}

/** Sizes the checks measured, for reports and benchmarks. */
export interface TemplateFigures {
  bytes: number;
  resources: number;
  outputs: number;
  /** Largest aggregate inline policy of one role, in characters, and the role's logical id. */
  largestInlinePolicy: { role: string; chars: number };
  /** Largest managed policy, in characters. */
  largestManagedPolicy: { policy: string; chars: number };
  largestScheduleInputBytes: number;
  largestLambdaEnvironmentBytes: number;
}

type Resource = NonNullable<CfnTemplate['Resources']>[string];

/** Every measured item, by logical id. */
interface Inspection {
  inlineByRole: Map<string, number>;
  managedByRole: Map<string, number>;
  managedPolicies: { id: string; chars: number }[];
  scheduleInputs: { id: string; bytes: number }[];
  environments: { id: string; bytes: number }[];
}

function roleRefs(list: unknown): string[] {
  return Array.isArray(list)
    ? list.flatMap((r) =>
        r && typeof r === 'object' && 'Ref' in r ? [String((r as { Ref: unknown }).Ref)] : [],
      )
    : [];
}

function inspect(template: CfnTemplate): Inspection {
  const out: Inspection = {
    inlineByRole: new Map(),
    managedByRole: new Map(),
    managedPolicies: [],
    scheduleInputs: [],
    environments: [],
  };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const [id, r] of Object.entries(template.Resources ?? {}) as [string, Resource][]) {
    const p = (r.Properties ?? {}) as Record<string, Json>;
    switch (r.Type) {
      case 'AWS::IAM::Policy': {
        const chars = policyChars(p.PolicyDocument ?? {});
        for (const role of roleRefs(p.Roles)) add(out.inlineByRole, role, chars);
        break;
      }
      case 'AWS::IAM::Role':
        for (const pol of Array.isArray(p.Policies) ? p.Policies : []) {
          add(out.inlineByRole, id, policyChars((pol as { PolicyDocument?: Json }).PolicyDocument ?? {}));
        }
        if (Array.isArray(p.ManagedPolicyArns)) add(out.managedByRole, id, p.ManagedPolicyArns.length);
        break;
      case 'AWS::IAM::ManagedPolicy':
        out.managedPolicies.push({ id, chars: policyChars(p.PolicyDocument ?? {}) });
        for (const role of roleRefs(p.Roles)) add(out.managedByRole, role, 1);
        break;
      case 'AWS::Scheduler::Schedule': {
        const input = (p.Target as { Input?: Json } | undefined)?.Input;
        if (input !== undefined) {
          out.scheduleInputs.push({ id, bytes: Buffer.byteLength(stringOf(resolveUpperBound(input))) });
        }
        break;
      }
      case 'AWS::Lambda::Function': {
        const vars = (p.Environment as { Variables?: Json } | undefined)?.Variables;
        if (vars !== undefined) {
          out.environments.push({ id, bytes: Buffer.byteLength(JSON.stringify(resolveUpperBound(vars))) });
        }
        break;
      }
    }
  }
  return out;
}

const largest = <T>(items: T[], size: (t: T) => number): T | undefined =>
  items.reduce<T | undefined>(
    (best, t) => (best === undefined || size(t) > size(best) ? t : best),
    undefined,
  );

/** Measures what the limits concern, on the template as CloudFormation receives it. */
export function measureTemplate(template: CfnTemplate, templateText: string): TemplateFigures {
  const i = inspect(template);
  const inline = largest([...i.inlineByRole], ([, c]) => c);
  const managed = largest(i.managedPolicies, (m) => m.chars);
  return {
    bytes: Buffer.byteLength(templateText),
    resources: Object.keys(template.Resources ?? {}).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    largestInlinePolicy: { role: inline?.[0] ?? '', chars: inline?.[1] ?? 0 },
    largestManagedPolicy: { policy: managed?.id ?? '', chars: managed?.chars ?? 0 },
    largestScheduleInputBytes: largest(i.scheduleInputs, (s) => s.bytes)?.bytes ?? 0,
    largestLambdaEnvironmentBytes: largest(i.environments, (e) => e.bytes)?.bytes ?? 0,
  };
}

const n = (x: number) => x.toLocaleString('en-US');
const SECRETS_FIX =
  'Fix: grant the SSH secrets by prefix and tag (deploy.sshSecrets, docs/deploy.md "SSH secrets at scale").';

/**
 * Every limit the template breaks, one sentence each naming the limit, the measured figure and the
 * fix. `templateText` is the template exactly as written for CloudFormation.
 */
export function templateLimitProblems(
  stackName: string,
  template: CfnTemplate,
  templateText: string,
): string[] {
  const L = AWS_LIMITS;
  const problems: string[] = [];
  const bytes = Buffer.byteLength(templateText);
  const resources = Object.keys(template.Resources ?? {}).length;
  const outputs = Object.keys(template.Outputs ?? {}).length;
  const top = () =>
    templateComposition(template)
      .slice(0, 3)
      .map((t) => `${t.type} x${t.count} (${n(t.bytes)} bytes)`)
      .join(', ');
  const growFix =
    'Fix: raise deploy.shardSize (fewer shards, fewer schedules); nothing else in the stack grows with the inventory.';
  if (bytes > L.templateBytes) {
    problems.push(
      `${stackName}: the template is ${n(bytes)} bytes, over CloudFormation's ${n(L.templateBytes)}-byte template size limit. Largest parts: ${top()}. ${growFix}`,
    );
  }
  if (resources > L.resources) {
    problems.push(
      `${stackName}: ${n(resources)} resources, over CloudFormation's limit of ${L.resources} resources per stack. Largest parts: ${top()}. ${growFix}`,
    );
  }
  if (outputs > L.outputs) {
    problems.push(
      `${stackName}: ${outputs} outputs, over CloudFormation's limit of ${L.outputs} outputs per template. Fix: remove outputs.`,
    );
  }
  const i = inspect(template);
  for (const [role, chars] of i.inlineByRole) {
    if (chars > L.inlinePolicyCharsPerRole) {
      problems.push(
        `${stackName}: role ${role}'s inline policies are ${n(chars)} characters, over IAM's role policy size limit of ${n(L.inlinePolicyCharsPerRole)} characters. ${SECRETS_FIX}`,
      );
    }
  }
  for (const m of i.managedPolicies) {
    if (m.chars > L.managedPolicyChars) {
      problems.push(
        `${stackName}: managed policy ${m.id} is ${n(m.chars)} characters, over IAM's managed policy size limit of ${n(L.managedPolicyChars)} characters. ${SECRETS_FIX}`,
      );
    }
  }
  for (const [role, count] of i.managedByRole) {
    if (count > L.managedPoliciesPerRole) {
      problems.push(
        `${stackName}: role ${role} has ${count} managed policies, over IAM's default quota of ${L.managedPoliciesPerRole} managed policies per role. ${SECRETS_FIX}`,
      );
    }
  }
  for (const s of i.scheduleInputs) {
    if (s.bytes > L.scheduleInputBytes) {
      problems.push(
        `${stackName}: schedule ${s.id}'s input is ${n(s.bytes)} bytes, over EventBridge Scheduler's payload limit of ${n(L.scheduleInputBytes)} bytes. Fix: lower deploy.shardSize.`,
      );
    }
  }
  for (const e of i.environments) {
    if (e.bytes > L.lambdaEnvironmentBytes) {
      problems.push(
        `${stackName}: function ${e.id}'s environment variables are ${n(e.bytes)} bytes, over Lambda's ${n(L.lambdaEnvironmentBytes)}-byte limit. Fix: ship the value inside the bundled inventory instead.`,
      );
    }
  }
  return problems;
}

/** What `enforceLimits` needs of a stack (a Stack or NestedStack). */
interface CheckedStack {
  readonly node: { readonly path: string; addValidation(v: { validate(): string[] }): void };
}

/**
 * Makes synth fail when the stack's template breaks a limit above. The template is the one CDK
 * writes (`indented`: whether it keeps CDK's one-space indentation); CDK's own check only warns
 * on size and counts characters, not bytes.
 */
export function enforceLimits(stack: CheckedStack, options: { indented: boolean }): void {
  stack.node.addValidation({
    validate: () => {
      // The same (internal) method CDK calls to write the template: the check sees exactly that.
      const template = (stack as unknown as { _toCloudFormation(): CfnTemplate })._toCloudFormation();
      const text = JSON.stringify(template, undefined, options.indented ? 1 : undefined);
      return templateLimitProblems(stack.node.path, template, text);
    },
  });
}
