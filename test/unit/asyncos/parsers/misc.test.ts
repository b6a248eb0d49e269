import { parseCommandOutput } from '../../../../shared/asyncos/commands';
import { parseHoststatus } from '../../../../shared/asyncos/parsers/hoststatus';
import { parseVersion } from '../../../../shared/asyncos/parsers/version';
import { fixture } from '../fixture';

describe('parseVersion / parseHoststatus / parseCommandOutput', () => {
  it('reads version fields', () => {
    const out = parseVersion(fixture('version.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts).toMatchObject({
      Model: 'C170',
      Version: '9.7.1-066',
      'Serial #': '42A11E7F00D-4FCC3C9',
    });
    expect(parseVersion('Unknown command or missing feature key: versoin').ok).toBe(false);
  });

  it('reads hoststatus values and counters', () => {
    const out = parseHoststatus(fixture('hoststatus.txt'));
    if (!out.ok) throw new Error(out.reason);
    expect(out.facts).toMatchObject({
      Host: 'example.com',
      'Host up/down': 'up',
      'Completed Recipients': '48219',
    });
    expect(parseHoststatus('\n').ok).toBe(false);
  });

  it('dispatches by command name, mail_logs included', () => {
    expect(parseCommandOutput('status detail', fixture('status-esa-online.txt')).ok).toBe(true);
    expect(parseCommandOutput('mail_logs', fixture('maillog-cpq.txt')).ok).toBe(true);
    expect(parseCommandOutput('grep', fixture('maillog-garbage.txt')).ok).toBe(false);
  });
});
