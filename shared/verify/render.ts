/** The checklist as people read it (`cpq-monitor verify` without `--json`). */
import type { CheckLine } from './check';

const MARK: Record<CheckLine['status'], string> = { ok: '[ok]  ', warning: '[warn]', critical: '[FAIL]' };

/** A mark, the check, what was seen; the fix under a failed line; the counts at the end. */
export function formatChecklist(stackName: string, lines: readonly CheckLine[]): string {
  const out = [`cpq-monitor verify: stack ${stackName}`, ''];
  for (const l of lines) {
    out.push(`${MARK[l.status]} ${l.check}: ${l.detail}`);
    if (l.fix !== undefined) out.push(`       fix: ${l.fix}`);
  }
  const count = (s: CheckLine['status']) => lines.filter((l) => l.status === s).length;
  out.push('', `${count('ok')} ok, ${count('warning')} warning(s), ${count('critical')} failed`);
  return out.join('\n');
}
