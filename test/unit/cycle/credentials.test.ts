/** Where SSH secrets come from: Secrets Manager (cached, failures not), environment, key file. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { authFromSecret, CredentialsError, credentialResolver } from '../../../shared/cycle/credentials';
import { applianceOf, inventoryOf, sshWith } from './fixtures';

const SECRET = 'hunter2-Zq9!';
const KEY_TEXT =
  '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n';
const sm = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({ region: 'eu-west-1' });

function esaWith(credentials: Record<string, string>) {
  return applianceOf(
    inventoryOf([{ name: 'esa1', role: 'esa', host: '10.0.0.21', ssh: sshWith(credentials) }]),
    'esa1',
  );
}

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<CredentialsError> {
  const outcome = await p.then(
    (v) => ({ ok: true as const, v }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  if (outcome.ok) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.v)}`);
  expect(outcome.e).toBeInstanceOf(CredentialsError);
  expect((outcome.e as CredentialsError).code).toBe('credentials_unavailable');
  return outcome.e as CredentialsError;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cpq-cred-'));
  writeFileSync(join(dir, 'esa1.key'), KEY_TEXT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => sm.reset());

describe('authFromSecret', () => {
  it.each([
    ['JSON password', JSON.stringify({ password: SECRET }), { password: SECRET }],
    ['JSON private key', JSON.stringify({ privateKey: KEY_TEXT }), { privateKey: KEY_TEXT }],
    [
      'JSON private key with passphrase',
      JSON.stringify({ privateKey: KEY_TEXT, passphrase: SECRET }),
      { privateKey: KEY_TEXT, passphrase: SECRET },
    ],
    [
      'JSON with both: the key wins',
      JSON.stringify({ password: 'x', privateKey: KEY_TEXT }),
      { privateKey: KEY_TEXT },
    ],
    ['plain text', SECRET, { password: SECRET }],
    ['plain text kept as stored (no trim)', ` ${SECRET}\n`, { password: ` ${SECRET}\n` }],
  ])('%s', (_label, text, expected) => {
    expect(authFromSecret('cpq/esa1', text)).toEqual(expected);
  });

  it.each([
    ['JSON that does not parse', `{"password": "${SECRET}"`, /cpq\/esa1 looks like JSON but does not parse/],
    [
      'JSON without a usable field',
      JSON.stringify({ pass: SECRET }),
      /neither a "password" nor a "privateKey".*found: pass\)/,
    ],
    ['JSON with an empty password', JSON.stringify({ password: '' }), /found: password\)/],
    ['an empty secret', '   ', /secret cpq\/esa1 is empty/],
  ])('%s: a CredentialsError naming the secret, never its value', (_label, text, message) => {
    let caught: unknown;
    try {
      authFromSecret('cpq/esa1', text);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CredentialsError);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).not.toContain(SECRET);
  });
});

describe('credentialResolver: environment and key file', () => {
  it('reads the password from the named environment variable', async () => {
    const resolve = credentialResolver({ env: { CPQ_PW: SECRET } });
    await expect(resolve(esaWith({ passwordEnv: 'CPQ_PW' }))).resolves.toEqual({ password: SECRET });
  });

  it.each([
    ['unset', {}],
    ['empty', { CPQ_PW: '' }],
  ])('names the variable and the appliance when it is %s', async (_label, env) => {
    const err = await rejection(credentialResolver({ env })(esaWith({ passwordEnv: 'CPQ_PW' })));
    expect(err.message).toBe('environment variable CPQ_PW (password of esa1) is not set');
  });

  it('reads a key file relative to the inventory’s directory, with its passphrase', async () => {
    const resolve = credentialResolver({ baseDir: dir, env: { KEY_PASS: SECRET } });
    await expect(resolve(esaWith({ keyFile: 'esa1.key' }))).resolves.toEqual({ privateKey: KEY_TEXT });
    await expect(
      resolve(esaWith({ keyFile: join(dir, 'esa1.key'), passphraseEnv: 'KEY_PASS' })),
    ).resolves.toEqual({ privateKey: KEY_TEXT, passphrase: SECRET });
  });

  it('names the key file it cannot read and the passphrase variable that is missing', async () => {
    const resolve = credentialResolver({ baseDir: dir, env: {} });
    const missing = await rejection(resolve(esaWith({ keyFile: 'absent.key' })));
    expect(missing.message).toContain(`cannot read key file ${join(dir, 'absent.key')} of esa1`);
    const noPass = await rejection(resolve(esaWith({ keyFile: 'esa1.key', passphraseEnv: 'KEY_PASS' })));
    expect(noPass.message).toBe('environment variable KEY_PASS (key passphrase of esa1) is not set');
    expect(noPass.message).not.toContain(KEY_TEXT);
  });

  it('refuses an appliance without SSH settings', async () => {
    const sma = applianceOf(inventoryOf([{ name: 'sma1', role: 'sma', host: '10.0.0.10' }]), 'sma1');
    const err = await rejection(credentialResolver({})(sma));
    expect(err.message).toBe('sma1 has no ssh settings');
  });
});

describe('credentialResolver: Secrets Manager', () => {
  const esa = esaWith({ secretId: 'cpq/esa1' });

  it('fails clearly without a client, naming the secret', async () => {
    const err = await rejection(credentialResolver({})(esa));
    expect(err.message).toMatch(/Secrets Manager secret cpq\/esa1, but no AWS client is configured here/);
  });

  it('asks once per secret within the TTL, again after it', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ password: SECRET }) });
    let clock = 1_000_000;
    const resolve = credentialResolver({ secretsManager: client, secretTtlMs: 60_000, now: () => clock });

    // Two appliances sharing one secret, at once and later: one request.
    const [a, b] = await Promise.all([resolve(esa), resolve(esa)]);
    clock += 59_999;
    const c = await resolve(esa);
    expect([a, b, c]).toEqual([{ password: SECRET }, { password: SECRET }, { password: SECRET }]);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    expect(sm).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: 'cpq/esa1' });

    clock += 1;
    await resolve(esa);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('keeps a secret 60 minutes by default', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    let clock = 0;
    const resolve = credentialResolver({ secretsManager: client, now: () => clock });
    await resolve(esa);
    clock = 3_599_999;
    await resolve(esa);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
    clock = 3_600_000;
    await resolve(esa);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('refetches a refused secret at once, once for every appliance sharing it', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'old-password' })
      .resolves({ SecretString: 'new-password' });
    const resolve = credentialResolver({ secretsManager: client });
    const old = await resolve(esa);
    expect(old).toEqual({ password: 'old-password' });
    // Two appliances report the refusal of the same cached value: one new request.
    const [a, b] = await Promise.all([resolve(esa, old), resolve(esa, old)]);
    expect([a, b]).toEqual([{ password: 'new-password' }, { password: 'new-password' }]);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    // A late report of the old value does not refetch the new one; a refusal of the new one does.
    await resolve(esa, old);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    await resolve(esa, a);
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('does not cache a failure: the next call asks again', async () => {
    const denied = Object.assign(
      new Error('User is not authorized to perform secretsmanager:GetSecretValue'),
      {
        name: 'AccessDeniedException',
      },
    );
    sm.on(GetSecretValueCommand).rejectsOnce(denied).resolves({ SecretString: SECRET });
    const resolve = credentialResolver({ secretsManager: client });

    const err = await rejection(resolve(esa));
    expect(err.message).toBe(
      'cannot read secret cpq/esa1: AccessDeniedException: User is not authorized to perform secretsmanager:GetSecretValue',
    );
    expect(err.cause).toBe(denied);
    await expect(resolve(esa)).resolves.toEqual({ password: SECRET });
    expect(sm).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('a secret without SecretString (binary) or with a bad document fails without showing it', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretBinary: new Uint8Array([1, 2, 3]) })
      .resolves({ SecretString: `{"password": "${SECRET}"` });
    const resolve = credentialResolver({ secretsManager: client });
    expect((await rejection(resolve(esa))).message).toBe('secret cpq/esa1 has no SecretString');
    const bad = await rejection(resolve(esa));
    expect(bad.message).toBe('secret cpq/esa1 looks like JSON but does not parse');
    expect(bad.message).not.toContain(SECRET);
  });
});
