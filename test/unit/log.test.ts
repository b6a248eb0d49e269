import { Writable } from 'node:stream';
import { createLogger } from '../../shared/log';

/** A logger writing into a string. */
function captured() {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  return { logger: createLogger('test', out as never), text: () => text };
}

const SECRETS = [
  'hunter2-pass',
  'PRIVATE-KEY-BODY',
  'key-passphrase',
  'wJalrXUtnFEMI/K7MDENG',
  'FwoGZXIvYXdzE',
  'Basic dXNlcjpw',
];

describe('log redaction', () => {
  it('keeps credentials out of every shape the monitor could log', () => {
    // Prepare
    const { logger, text } = captured();
    // Act: shapes as they occur: reader options, an inventory appliance with resolved auth, a
    // Secrets Manager response, an SDK client config, HTTP headers, deep nesting, arrays.
    logger.info({ config: { host: 'esa1', auth: { password: 'hunter2-pass' } } }, 'read options');
    logger.info(
      {
        opts: {
          host: 'esa1',
          auth: { privateKey: '-----BEGIN PRIVATE-KEY-BODY', passphrase: 'key-passphrase' },
        },
      },
      'read options',
    );
    logger.info({ res: { SecretString: '{"password":"hunter2-pass"}', Name: 'cpq/ssh' } }, 'secret read');
    logger.info(
      {
        client: {
          config: {
            credentials: {
              accessKeyId: 'AKIA',
              secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
              sessionToken: 'FwoGZXIvYXdzE',
            },
          },
        },
      },
      'sdk',
    );
    logger.info({ req: { headers: { Authorization: 'Basic dXNlcjpw' } } }, 'http');
    logger.info({ a: { b: { c: { d: { e: { password: 'hunter2-pass' } } } } } }, 'deep');
    logger.info({ appliances: [{ name: 'esa1', ssh: { auth: { password: 'hunter2-pass' } } }] }, 'array');
    logger.info({ password: 'hunter2-pass', token: 'FwoGZXIvYXdzE' }, 'top level');
    // Assess
    const out = text();
    for (const s of SECRETS) expect(out).not.toContain(s);
    expect(out).toContain('[redacted]');
    // What is not secret still shows.
    expect(out).toContain('"host":"esa1"');
    expect(out).toContain('"Name":"cpq/ssh"');
  });
});
