/**
 * Every command in docs/onboarding.md is checked here or run by a test: `cpq-monitor` lines use a
 * sub-command and options the CLI has (`init --help` runs), `cdk` and `npm` lines use commands and
 * scripts that exist, `aws` lines use the operations listed below with documents that parse (a
 * secret in the shape the monitor reads, policy files of this repository, a filter policy), and
 * every JSON block parses. The `ssh-keyscan` line runs in the OpenSSH test, the lab walk-through
 * in the lab test (on ephemeral ports), the AWS names in the infra test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { authFromSecret } from '../../../shared/cycle/credentials';
import { blocks, shCommands } from '../../helpers/doc-commands';
import { cpqMonitor } from '../../helpers/run-cli';

const ROOT = join(__dirname, '../../..');
const DOC = readFileSync(join(ROOT, 'docs/onboarding.md'), 'utf8');
const SCRIPTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: object }).scripts,
);

/** Command lines of the sh blocks, environment assignments and comments removed. */
const commands = shCommands(DOC).map(({ line, words: w }) => ({ line, w }));

const helpCache = new Map<string, Promise<{ status: number | null; text: string }>>();
function help(sub: string) {
  if (!helpCache.has(sub)) {
    helpCache.set(
      sub,
      cpqMonitor([sub, '--help']).then((r) => ({ status: r.code, text: r.stdout })),
    );
  }
  return helpCache.get(sub)!;
}

const AWS_OPERATIONS = ['secretsmanager create-secret', 'iam create-policy', 'sns subscribe', 'logs tail'];

function option(w: string[], name: string): string | undefined {
  const i = w.indexOf(name);
  return i === -1 ? undefined : w[i + 1];
}

describe('docs/onboarding.md', () => {
  it('has commands, each one of a known program', () => {
    expect(commands.length).toBeGreaterThan(15);
    const programs = commands.map(({ w }) => (w[0] === 'npx' ? `npx ${w[1]}` : w[0]));
    expect(
      programs.filter(
        (p) => !['npx cpq-monitor', 'npx cdk', 'npm', 'aws', 'export', 'ssh-keyscan'].includes(p!),
      ),
    ).toEqual([]);
  });

  it.each(commands.filter(({ w }) => w[0] === 'npx' && w[1] === 'cpq-monitor').map((c) => [c.line, c.w]))(
    'cpq-monitor: %s',
    async (_, w) => {
      const sub = (w as string[])[2]!;
      const h = await help(sub);
      expect(h.status).toBe(0);
      for (const flag of (w as string[]).filter((x) => x.startsWith('--') && x !== '--help')) {
        expect(h.text).toContain(`${flag} `);
      }
    },
  );

  it.each(commands.filter(({ w }) => w[0] === 'npx' && w[1] === 'cdk').map((c) => [c.line, c.w]))(
    'cdk: %s',
    (_, w) => {
      const args = w as string[];
      expect(['bootstrap', 'synth', 'diff', 'deploy', 'destroy']).toContain(args[2]);
      if (args[2] === 'bootstrap') expect(args[3]).toMatch(/^aws:\/\/ACCOUNT\/REGION$/);
      else expect(args).toContain('inventory=inventory.yaml');
    },
  );

  it.each(commands.filter(({ w }) => w[0] === 'npm').map((c) => [c.line, c.w]))('npm: %s', (_, w) => {
    const args = w as string[];
    if (args[1] === 'run') expect(SCRIPTS).toContain(args[2]);
    else expect(args.slice(1)).toEqual(['ci']);
  });

  it.each(commands.filter(({ w }) => w[0] === 'aws').map((c) => [c.line, c.w]))('aws: %s', (_, w) => {
    const args = w as string[];
    expect(AWS_OPERATIONS).toContain(`${args[1]} ${args[2]}`);
    const secret = option(args, '--secret-string');
    if (secret !== undefined && !secret.startsWith('file://')) {
      // The shape the SSH function reads.
      expect(authFromSecret('doc', secret)).toEqual({ password: expect.any(String) });
    }
    const policyFile = option(args, '--policy-document');
    if (policyFile !== undefined) {
      const path = join(ROOT, policyFile.replace(/^file:\/\//, ''));
      expect(existsSync(path)).toBe(true);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toHaveProperty('Statement');
    }
    const attributes = option(args, '--attributes');
    if (attributes !== undefined) {
      const filter = JSON.parse(JSON.parse(attributes).FilterPolicy) as { severity: unknown[] };
      expect(filter.severity).toEqual(['critical', { exists: false }]);
    }
  });

  it('every JSON block parses, and a secret block is in the shape the monitor reads', () => {
    const json = blocks(DOC).filter((b) => b.lang === 'json');
    expect(json.length).toBeGreaterThan(0);
    for (const b of json) {
      const doc = JSON.parse(b.body) as Record<string, unknown>;
      if ('privateKey' in doc || 'password' in doc) expect(() => authFromSecret('doc', b.body)).not.toThrow();
    }
  });

  it('links only to files and anchors that exist', () => {
    for (const m of DOC.matchAll(/\]\(([^)#\s]+)?(#[^)\s]+)?\)/g)) {
      const [, file, anchor] = m;
      const target = file === undefined ? DOC : readFileSync(join(ROOT, 'docs', file), 'utf8');
      if (file !== undefined) expect(existsSync(join(ROOT, 'docs', file))).toBe(true);
      if (anchor !== undefined && file?.endsWith('.md') !== false) {
        const slugs = [...target.matchAll(/^#+ (.+)$/gm)].map((h) =>
          h[1]!
            .toLowerCase()
            .replace(/[^a-z0-9 -]/g, '')
            .replace(/ /g, '-'),
        );
        expect(slugs).toContain(anchor.slice(1));
      }
    }
  });

  it('the user dialogue picks the Read-Only Operator role', () => {
    const dialogue = blocks(DOC).find((b) => b.body.includes('userconfig'))!.body;
    const choice = /Assign a role[\s\S]*?\[\d\]> (\d)/.exec(dialogue)![1];
    expect(dialogue).toContain(`${choice}. Read-Only Operator`);
  });
});
