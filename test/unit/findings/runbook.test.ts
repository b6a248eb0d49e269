import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHECKS, PROBE_CODE_CHECKS, READ_CODE_DECISIONS } from '../../../shared/findings';

const runbook = readFileSync(join(__dirname, '../../../docs/runbook.md'), 'utf8');

/** Sections by `## ` heading. */
function sections(): Map<string, string> {
  const out = new Map<string, string>();
  const parts = runbook.split(/^## /m).slice(1);
  for (const p of parts) {
    const nl = p.indexOf('\n');
    out.set(p.slice(0, nl).trim(), p.slice(nl + 1));
  }
  return out;
}

describe('docs/runbook.md', () => {
  const bySection = sections();

  test.each(CHECKS.map((c) => [c]))(
    'has a section %s with meaning, causes, confirm, fix, verify',
    (check) => {
      const body = bySection.get(check);
      expect(body).toBeDefined();
      for (const part of ['**Meaning.**', '**Likely causes.**', '**Confirm.**', '**Fix.**', '**Verify.**']) {
        expect([check, body!.includes(part)]).toEqual([check, true]);
      }
    },
  );

  test('every section is a check or one of the introductions', () => {
    const extra = [...bySection.keys()].filter((k) => !(CHECKS as readonly string[]).includes(k));
    expect(extra).toEqual(['Reading a page', 'How probe and SSH results map to checks']);
  });

  test('every link inside the runbook points at a section', () => {
    const anchors = [...runbook.matchAll(/\]\(#([a-z0-9_]+)\)/g)].map((m) => m[1]!);
    expect(anchors.length).toBeGreaterThan(20);
    for (const a of anchors) expect([a, bySection.has(a)]).toEqual([a, true]);
  });

  test('the mapping tables name every probe code and read code', () => {
    for (const code of [...Object.keys(PROBE_CODE_CHECKS), ...Object.keys(READ_CODE_DECISIONS)]) {
      expect([code, runbook.includes(`\`${code}\``)]).toEqual([code, true]);
    }
  });
});
