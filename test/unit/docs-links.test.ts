import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

// Code comments and docs point readers at sections of docs/*.md: a renamed heading must not leave
// a pointer to nowhere behind.
const root = join(__dirname, '../..');
const SKIP = new Set(['node_modules', '.git', 'cdk.out', '.cpq-monitor', 'coverage']);

function projectFiles(dir = root): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...projectFiles(path));
    else if (/\.(ts|js|md|ya?ml)$/.test(name)) out.push(path);
  }
  return out;
}

/** The anchors GitHub gives the headings of a markdown text (code fences skipped, repeats numbered). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const h = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!h) continue;
    const slug = h[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

const docsDir = join(root, 'docs');
const docAnchors = new Map(
  readdirSync(docsDir)
    .filter((f) => f.endsWith('.md'))
    .map((f) => [f, anchorsOf(readFileSync(join(docsDir, f), 'utf8'))]),
);
const files = projectFiles().filter((f) => !f.endsWith('docs-links.test.ts'));

describe('links to sections of docs/', () => {
  test('anchors follow GitHub: punctuation dropped, underscores and hyphens kept', () => {
    expect([
      ...anchorsOf('## The cpq_listener\n## CPQ: how mail travels\n```\n# not a heading\n```\n## A\n## A'),
    ]).toEqual(['the-cpq_listener', 'cpq-how-mail-travels', 'a', 'a-1']);
  });

  test('every docs/domain.md#section cited in code, config and docs exists', () => {
    const cited = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/docs\/domain\.md#([\w-]+)/g)].map((m) => [
        relative(root, f),
        m[1]!,
      ]),
    );
    expect(cited.length).toBeGreaterThan(10);
    const missing = cited.filter(([, a]) => !docAnchors.get('domain.md')!.has(a!));
    expect(missing).toEqual([]);
  });

  test('every markdown link to a section of a docs page lands on a heading', () => {
    const broken: string[] = [];
    let links = 0;
    for (const f of files.filter((x) => x.endsWith('.md'))) {
      const text = readFileSync(f, 'utf8');
      const here = relative(root, f);
      for (const m of text.matchAll(/\]\((?:(?:\.\.\/)*docs\/|)([a-z-]*\.md)?#([^)\s]+)\)/g)) {
        // `](#x)` is a section of the page itself; `](page.md#x)` one of docs/page.md.
        const anchors = m[1] === undefined ? anchorsOf(text) : docAnchors.get(m[1]);
        links++;
        if (anchors === undefined || !anchors.has(m[2]!)) broken.push(`${here}: ${m[0]}`);
      }
    }
    expect(links).toBeGreaterThan(50);
    expect(broken).toEqual([]);
  });
});
