import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE_HINTS } from '../../../shared/probes/hints';

// Every code and warning the probe can return is explained for on-call, and has a CLI hint.
const doc = readFileSync(join(__dirname, '../../../docs/probe.md'), 'utf8');

it.each(Object.keys(PROBE_HINTS).filter((k) => k !== 'ok'))('docs/probe.md explains %s', (code) => {
  expect(doc).toContain(`| \`${code}\` |`);
  expect(PROBE_HINTS[code as keyof typeof PROBE_HINTS].length).toBeGreaterThan(20);
});
