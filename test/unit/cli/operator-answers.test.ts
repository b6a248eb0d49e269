/**
 * What the CLI tells an operator about their own input and its result: the reason beside a read's
 * WARNING, the MD5 host key form refused with what to pin instead, and init's yes/no question.
 */
import { PassThrough } from 'node:stream';
import { checkFingerprintFlag } from '../../../cli/host-key-flag';
import { askYesNo, streamPrompter } from '../../../cli/init-gather';
import { formatReadReport } from '../../../cli/read';
import { commandLine } from '../../../shared/asyncos/allowlist';
import type { CommandRequest, ReadResult } from '../../../shared/asyncos/types';

describe('read report', () => {
  it('says why a read with code ok exits 1 (a command parsed in part), beside the status lines', () => {
    const status: CommandRequest = { name: 'status' };
    const d = commandLine(status);
    if (!d.allowed) throw new Error('status must be allowed');
    const r: ReadResult = {
      host: 'esa1',
      port: 22,
      startedAt: '2026-03-02T10:00:00.000Z',
      status: 'warning',
      code: 'ok',
      message: 'read 1 command(s) from esa1',
      hostKey: 'SHA256:abc',
      timings: { connectMs: 3, totalMs: 20 },
      commands: {
        [d.line]: {
          status: 'warning',
          code: 'ok',
          message: `"${d.line}": no "Up since" line`,
          parsed: null,
          raw: '',
        },
      },
    };
    const text = formatReadReport(r, [status]);
    expect(text).toContain('esa1:22 WARNING ok: read 1 command(s) from esa1');
    expect(text).toContain(`exit 1 (warning) because ${d.line}: warning ok: "${d.line}": no "Up since" line`);
    expect(text).toContain(`== ${d.line} == WARNING ok: "${d.line}": no "Up since" line`);
    // A clean read says nothing more.
    const clean = formatReadReport({ ...r, status: 'ok', commands: {} }, [status]);
    expect(clean).not.toMatch(/exit \d/);
  });
});

describe('host key flags', () => {
  it('explains that the MD5 form is for comparing and the SHA256 form is pinned', () => {
    const md5 = 'MD5:2b:9a:5f:0e:11:c4:77:d3:9e:6a:01:ff:42:18:6c:bd';
    expect(() => checkFingerprintFlag('--host-key', md5)).toThrow(
      /is the MD5 form of a host key: MD5 is for comparing .* pin the SHA256 form/,
    );
    expect(() => checkFingerprintFlag('--host-key', md5.slice(4))).toThrow(/MD5 form/);
    expect(() => checkFingerprintFlag('--host-key', 'nonsense')).toThrow(/not an OpenSSH fingerprint/);
    expect(() =>
      checkFingerprintFlag('--host-key', 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s'),
    ).not.toThrow();
  });
});

describe("init's yes/no question", () => {
  function ask(typed: string) {
    const input = new PassThrough();
    const out = new PassThrough();
    let transcript = '';
    out.on('data', (d: Buffer) => {
      transcript += d.toString('utf8');
    });
    input.end(typed);
    const p = streamPrompter(input, out);
    return askYesNo(p, 'Pin it (tls.pins)? [y/N]: ').then((answer) => {
      p.close();
      return { answer, transcript };
    });
  }

  it.each([
    ['y\n', true],
    ['Yes\n', true],
    ['n\n', false],
    ['\n', false],
    ['', false],
  ])('%j answers %s', async (typed, expected) => {
    expect((await ask(typed)).answer).toBe(expected);
  });

  it('asks again after an unclear answer instead of taking it as no', async () => {
    const { answer, transcript } = await ask('sure\ny\n');
    expect(answer).toBe(true);
    expect(transcript).toContain('Please answer y (yes) or n (no)');
  });
});
