/**
 * The docs and the example inventory never show a pager's routing key inside a URL: an
 * integration URL given as an HTTPS subscription lands in the template (endpoint and logical id)
 * and in every SNS subscription listing. The key belongs in Secrets Manager
 * (`deploy.integrations.pagerduty`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');
const FILES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, 'config'))
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => `config/${f}`),
];
/** PagerDuty's and Opsgenie's SNS integration URLs carry the key in the path or the query. */
const KEY_IN_URL = /https:\/\/[^\s'"`)]*(pagerduty\.com\/integration\/|opsgenie\.com\/[^\s'"`)]*apiKey=)/i;

describe('documented URLs', () => {
  it.each(FILES)('%s puts no routing key in a URL', (file) => {
    const hits = readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .map((line, i) => `${i + 1}: ${line}`)
      .filter((line) => KEY_IN_URL.test(line));
    expect(hits).toEqual([]);
  });
});
