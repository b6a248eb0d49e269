import {
  honouredSilences,
  listMutes,
  muteResolver,
  newSilence,
  parseDuration,
  type Silence,
  SilenceError,
  silenceActive,
  silenceMatches,
  storedSilenceProblem,
} from '../../../shared/alerts/silences';
import { at } from './fixtures';

const INV = { appliances: [{ name: 'esa1' }, { name: 'esa3' }, { name: 'sma1' }] } as never;
const req = { appliance: 'esa3', reason: 'disk swap CHG-7', author: 'alice' };

function silence(over: Partial<Silence> = {}): Silence {
  return {
    id: 'sil-00000001',
    appliance: 'esa3',
    createdAt: at(0).toISOString(),
    endsAt: at(120).toISOString(),
    reason: 'disk swap CHG-7',
    author: 'alice',
    ...over,
  };
}

describe('parseDuration', () => {
  it.each([
    ['30m', 30],
    ['2h', 120],
    ['1d', 1440],
    ['1h30m', 90],
    ['1d12h', 2160],
  ])('reads %s as %d minutes', (text, minutes) => {
    expect(parseDuration(text)).toBe(minutes * 60_000);
  });

  it.each(['', '2', 'h', '2 hours', '-1h', '0m', '1.5h'])('refuses %j', (text) => {
    expect(() => parseDuration(text)).toThrow(SilenceError);
  });
});

describe('newSilence', () => {
  it('ends --for after now and records who, when and why', () => {
    const s = newSilence({ ...req, check: 'cpq_queue_backlog', for: '2h' }, at(0), 7, INV);
    expect(s).toEqual({
      appliance: 'esa3',
      check: 'cpq_queue_backlog',
      createdAt: at(0).toISOString(),
      endsAt: at(120).toISOString(),
      reason: 'disk swap CHG-7',
      author: 'alice',
    });
  });

  it.each<[string, Record<string, string | undefined>, RegExp]>([
    ['no end', {}, /exactly one of --for DURATION or --until/],
    ['both ends', { for: '1h', until: at(60).toISOString() }, /exactly one of/],
    ['an end in the past', { until: at(-1).toISOString() }, /not in the future/],
    ['an end that is not ISO', { until: 'tomorrow' }, /--until must be an ISO 8601 time/],
    ['longer than the maximum', { for: '8d' }, /at most 7 days \(alerting.maxSilenceDays\)/],
    ['an unknown appliance', { appliance: 'esa9', for: '1h' }, /"esa9" is not in the inventory/],
    ['an unknown check', { check: 'cpq_nonsense', for: '1h' }, /"cpq_nonsense" is not a check/],
    ['a pattern with odd characters', { appliance: 'esa 3;rm', for: '1h' }, /--appliance must be/],
    ['an empty reason', { reason: '  ', for: '1h' }, /--reason must say why/],
    ['a negated appliance', { appliance: '!esa9', for: '1h' }, /only \* and \? are allowed.*"!esa9"/],
    ['a character class', { appliance: 'esa[13]', for: '1h' }, /only \* and \? are allowed/],
    ['an extended glob', { appliance: '@(esa3|esa1)', for: '1h' }, /only \* and \? are allowed/],
    ['a brace list', { appliance: '{esa3,esa1}', for: '1h' }, /only \* and \? are allowed/],
    ['a negated check', { check: '!cpq_cert_expired', for: '1h' }, /--check .*only \* and \? are allowed/],
    [
      'a protected check',
      { check: 'ssh_host_key_mismatch', for: '1h' },
      /ssh_host_key_mismatch is protected/,
    ],
    ['the other protected check', { check: 'ssh_credentials_unavailable', for: '1h' }, /is protected/],
  ])('refuses %s', (_, over, message) => {
    expect(() => newSilence({ ...req, ...over } as never, at(0), 7, INV)).toThrow(message);
  });

  it('accepts globs without an inventory lookup, and a longer maximum when configured', () => {
    expect(
      newSilence({ ...req, appliance: 'esa*', check: 'cpq_cert_*', for: '10d' }, at(0), 14, INV).appliance,
    ).toBe('esa*');
  });
});

describe('silenceMatches', () => {
  const alert = (id: string, appliance: string, check: string) => ({ id, appliance, check });

  it.each<[string, Pick<Silence, 'appliance' | 'check'>, boolean]>([
    ['appliance name', { appliance: 'esa3' }, true],
    ['another appliance', { appliance: 'esa1' }, false],
    ['appliance glob', { appliance: 'esa*' }, true],
    ['every appliance', { appliance: '*' }, true],
    ['appliance and check', { appliance: 'esa3', check: 'cpq_queue_backlog' }, true],
    ['appliance and another check', { appliance: 'esa3', check: 'cpq_cert_expired' }, false],
    ['check glob on every appliance', { appliance: '*', check: 'cpq_*' }, true],
  ])('%s', (_, s, expected) => {
    expect(silenceMatches(s, alert('esa3/cpq_queue_backlog', 'esa3', 'cpq_queue_backlog'))).toBe(expected);
  });

  it('matches a path finding by either end', () => {
    const path = alert('esa3->sma1/cpq_tls_anonymous', 'sma1', 'cpq_tls_anonymous');
    expect(silenceMatches({ appliance: 'esa3' }, path)).toBe(true);
    expect(silenceMatches({ appliance: 'sma1' }, path)).toBe(true);
    expect(silenceMatches({ appliance: 'esa1' }, path)).toBe(false);
  });

  it('never lets a broad silence hide a host key change or the monitor losing its credentials', () => {
    for (const check of ['ssh_host_key_mismatch', 'ssh_credentials_unavailable']) {
      const a = alert(`esa3/${check}`, 'esa3', check);
      expect(silenceMatches({ appliance: 'esa3' }, a)).toBe(false);
      expect(silenceMatches({ appliance: '*', check: 'ssh_*' }, a)).toBe(false);
    }
  });

  it('never mutes a protected check, even when a silence names it exactly', () => {
    for (const check of ['ssh_host_key_mismatch', 'ssh_credentials_unavailable']) {
      const a = alert(`esa3/${check}`, 'esa3', check);
      expect(silenceMatches({ appliance: 'esa3', check }, a)).toBe(false);
      expect(silenceMatches({ appliance: '*', check }, a)).toBe(false);
    }
  });

  it('never mutes the one alert of a credential source, by any pattern', () => {
    const check = 'ssh_credentials_unavailable';
    const a = alert(`monitor:env:CPQ_PW/${check}`, 'monitor', check);
    for (const s of [
      { appliance: '*' },
      { appliance: 'monitor', check: 'ssh_*' },
      { appliance: 'monitor', check },
      { appliance: '*', check },
    ]) {
      expect(silenceMatches(s, a)).toBe(false);
    }
  });

  it('never mutes the intermittent alert of a protected check', () => {
    for (const check of ['ssh_host_key_mismatch', 'ssh_credentials_unavailable']) {
      for (const id of [`esa1/intermittent.${check}`, `monitor:env:CPQ_PW/intermittent.${check}`]) {
        const a = alert(id, id.startsWith('monitor') ? 'monitor' : 'esa1', 'intermittent');
        for (const s of [
          { appliance: '*' },
          { appliance: 'esa1' },
          { appliance: '*', check: 'intermittent' },
          { appliance: '*', check: 'intermittent*' },
          { appliance: '*', check: '*' },
        ]) {
          expect([id, s, silenceMatches(s, a)]).toEqual([id, s, false]);
        }
      }
    }
    // The intermittent alert of any other check is still silenced as before.
    const other = alert('esa1/intermittent.cpq_listener_refused', 'esa1', 'intermittent');
    expect(silenceMatches({ appliance: '*' }, other)).toBe(true);
  });

  it('a stored pattern with a negation, a class or an extended glob matches nothing', () => {
    const a = alert('esa3/cpq_queue_backlog', 'esa3', 'cpq_queue_backlog');
    for (const s of [
      { appliance: '!esa9' },
      { appliance: 'esa[0-9]' },
      { appliance: '@(esa3)' },
      { appliance: '+(esa3)' },
      { appliance: '*', check: '!cpq_cert_expired' },
      { appliance: '{esa3,esa1}' },
    ]) {
      expect([s, silenceMatches(s, a)]).toEqual([s, false]);
      expect(storedSilenceProblem({ id: 'sil-1', ...s })).toMatch(/sil-1 .*only \* and \? are allowed/);
    }
    expect(storedSilenceProblem({ id: 'sil-2', appliance: 'esa?', check: 'cpq_*' })).toBeUndefined();
  });
});

describe('honouredSilences', () => {
  it('drops a stored silence whose pattern is refused and says which, keeping the others', () => {
    const good = silence({ id: 'sil-good', appliance: 'esa?' });
    const bad = silence({ id: 'sil-bad', appliance: '!esa9' });
    const out = honouredSilences([good, bad]);
    expect(out.silences).toEqual([good]);
    expect(out.problems).toEqual([
      "silence sil-bad mutes nothing: its appliance pattern \"!esa9\" only * and ? are allowed (negation '!', classes '[...]', braces and extended globs are refused)",
    ]);
  });
});

describe('muteResolver', () => {
  const maintenance = [
    { appliance: 'sma1', start: at(0).toISOString(), end: at(30).toISOString(), reason: 'SMA upgrade' },
  ];

  it('mutes by a silence until it ends, then not', () => {
    const during = muteResolver({ maintenance: [] }, [silence()], at(119), 7);
    expect(during('esa3', 'cpq_queue_backlog', 'esa3/cpq_queue_backlog')).toEqual({
      reason: 'disk swap CHG-7',
      until: at(120).toISOString(),
      source: 'silence',
      silenceId: 'sil-00000001',
      author: 'alice',
    });
    const after = muteResolver({ maintenance: [] }, [silence()], at(120), 7);
    expect(after('esa3', 'cpq_queue_backlog', 'esa3/cpq_queue_backlog')).toBeUndefined();
  });

  it('prefers the maintenance window, and caps a stored silence at maxSilenceDays', () => {
    const resolve = muteResolver({ maintenance }, [silence({ appliance: '*' })], at(10), 7);
    expect(resolve('sma1', 'listeners_suspended', 'sma1/listeners_suspended')?.source).toBe('maintenance');
    expect(resolve('esa1', 'cpq_queue_backlog', 'esa1/cpq_queue_backlog')?.source).toBe('silence');
    const tooLong = silence({ endsAt: new Date(at(0).getTime() + 30 * 86_400_000).toISOString() });
    expect(silenceActive(tooLong, new Date(at(0).getTime() + 7 * 86_400_000 - 1), 7)).toBe(true);
    expect(silenceActive(tooLong, new Date(at(0).getTime() + 7 * 86_400_000), 7)).toBe(false);
  });

  it('lists silences and windows with the open alerts each mutes now', () => {
    const open = [
      { id: 'esa3/cpq_queue_backlog', appliance: 'esa3', check: 'cpq_queue_backlog' },
      { id: 'sma1/listeners_suspended', appliance: 'sma1', check: 'listeners_suspended' },
    ];
    const rows = listMutes(
      { maintenance },
      [silence(), silence({ id: 'sil-old', endsAt: at(5).toISOString() })],
      open,
      at(10),
      7,
    );
    expect(rows.map((r) => [r.id, r.source, r.active, r.muting])).toEqual([
      ['maintenance[0]', 'maintenance', true, ['sma1/listeners_suspended']],
      ['sil-00000001', 'silence', true, ['esa3/cpq_queue_backlog']],
    ]);
  });
});
