/**
 * The known questions: every fixture in test/fixtures/asyncos/questions/ is a row of the table in
 * docs/domain.md (and back), and each is recognised and given the answer the table lists.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandNamed, matchMenu } from '../../../shared/asyncos/commands';
import { classifyTail } from '../../../shared/asyncos/prompt';

const ROOT = join(__dirname, '../../..');
const DIR = join(ROOT, 'test/fixtures/asyncos/questions');

interface Row {
  fixture: string;
  command: string;
  answer: string;
}

/** The rows of the "Known questions" table in docs/domain.md. */
function tableRows(): Row[] {
  const doc = readFileSync(join(ROOT, 'docs/domain.md'), 'utf8');
  const section = doc.slice(doc.indexOf('#### Known questions'));
  const rows: Row[] = [];
  for (const line of section.split('\n')) {
    const m = /^\| `([^`]+\.txt)` \| (\S+) \| `([^`]*)` \|/.exec(line);
    if (m) rows.push({ fixture: m[1]!, command: m[2]!, answer: m[3]! });
    if (rows.length > 0 && !line.startsWith('|')) break;
  }
  return rows;
}

/** The screen above the prompt and the prompt line, the way the session hands them over. */
function screenOf(text: string): { screen: string[]; prompt: string } {
  const lines = text.split('\n');
  const prompt = lines.pop()!;
  return { screen: lines.slice(1), prompt };
}

describe('known questions', () => {
  const rows = tableRows();

  it('the table and the fixtures list the same files', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.fixture).sort()).toEqual(readdirSync(DIR).sort());
  });

  it.each(rows.map((r) => [r.fixture, r] as const))('%s gets its answer', (_name, row) => {
    const text = readFileSync(join(DIR, row.fixture), 'utf8');
    const { screen, prompt } = screenOf(text);
    expect(classifyTail(prompt)).toMatchObject({ kind: 'menu' });
    const menu = matchMenu(commandNamed(row.command)!.menus ?? [], screen, prompt);
    expect(menu?.answer).toBe(row.answer);
  });

  it('the same question under another command, or with a word changed, is not answered', () => {
    const text = readFileSync(join(DIR, 'showconfig-sma-mask-password.txt'), 'utf8');
    const { screen, prompt } = screenOf(text);
    expect(matchMenu(commandNamed('sslconfig')!.menus ?? [], screen, prompt)).toBeNull();
    const menus = commandNamed('showconfig')!.menus ?? [];
    expect(matchMenu(menus, screen, prompt.replace('[Y]', '[N]'))).toBeNull();
    expect(matchMenu(menus, screen, prompt.replace('mask', 'show'))).toBeNull();
    // A wrapped tail whose first half is something else is not the question.
    expect(
      matchMenu(
        menus,
        ['Do you want to reboot? Files with masked passwords cannot be loaded'],
        'using loadconfig command. [Y]> ',
      ),
    ).toBeNull();
  });
});
