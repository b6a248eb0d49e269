/** Prints notifications as readable text (the CLI and the demo). */
import { duration, emailBodyOf, subjectOf } from './format';
import type { AlertNotification, Notifier, NotifyResult } from './notifier';

/** A Notifier writing to a text stream (stdout, stderr, a file). */
export class ConsoleNotifier implements Notifier {
  constructor(private readonly out: NodeJS.WritableStream = process.stdout) {}

  /** {@inheritDoc Notifier.notify} */
  async notify(n: AlertNotification): Promise<NotifyResult> {
    const rule = '-'.repeat(78);
    const head = n.kind === 'recovery' ? `${subjectOf(n)} (after ${duration(n.since, n.at)})` : subjectOf(n);
    const body = emailBodyOf(n)
      .trimEnd()
      .split('\n')
      .map((l) => (l === '' ? '' : `  ${l}`))
      .join('\n');
    const text = `${rule}\n${n.at} ${n.kind.toUpperCase()}  ${head}\n${body}\n${rule}\n`;
    return new Promise<NotifyResult>((resolve) => {
      this.out.write(text, (err) => {
        resolve(
          err ? { ok: false, code: 'write_failed', message: err.message, retryable: true } : { ok: true },
        );
      });
    });
  }
}
