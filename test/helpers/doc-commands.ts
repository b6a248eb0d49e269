/** The shell commands of the docs, read as a shell would: fenced blocks, quotes, comments, `VAR=value` prefixes. */

/** Fenced blocks: language and body. */
export function blocks(text: string): Array<{ lang: string; body: string }> {
  return [...text.matchAll(/^ *```(\w*)\n([\s\S]*?)^ *```$/gm)].map((m) => ({
    lang: m[1]!,
    body: m[2]!.replace(/^ {2}/gm, ''),
  }));
}

/**
 * Shell words: single and double quotes, backslash escapes inside double quotes; a `#` that starts
 * a word outside quotes begins a comment.
 */
export function words(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '#' && !inWord) {
      break;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** One command line of a `sh` block: the line as written, its `VAR=value` prefixes, its words. */
export interface ShCommand {
  line: string;
  env: Record<string, string>;
  words: string[];
}

/** The command lines of a document's `sh` blocks (continuations joined, comment lines dropped). */
export function shCommands(text: string): ShCommand[] {
  return blocks(text)
    .filter((b) => b.lang === 'sh')
    .flatMap((b) => b.body.replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const w = words(line);
      const env: Record<string, string> = {};
      while (w.length > 0 && /^[A-Z_][A-Z0-9_]*=/.test(w[0]!)) {
        const [name, ...value] = w.shift()!.split('=');
        env[name!] = value.join('=');
      }
      return { line, env, words: w };
    });
}
