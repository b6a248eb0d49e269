import { parseMailLog } from '../../../../shared/asyncos/parsers/maillog';
import { fixture } from '../fixture';

describe('parseMailLog', () => {
  const out = parseMailLog(fixture('maillog-cpq.txt'));
  if (!out.ok) throw new Error(out.reason);
  const { events, unknownLines } = out.facts;

  it('types every known line and keeps the others', () => {
    expect(events.map((e) => e.type)).toEqual([
      'cpq_connection',
      'delivery_connection',
      'tls_success',
      'delivery_start',
      'message_done',
      'tls_failed',
      'tls_required_failed',
      'connection_error',
      'connection_error',
      'application_fault',
    ]);
    expect(unknownLines).toHaveLength(2);
    expect(unknownLines[0]).toMatch(/DCID 12345 close/);
  });

  it('extracts fields, ids and timestamps (space-padded days)', () => {
    expect(events[0]).toMatchObject({
      type: 'cpq_connection',
      icid: 12345,
      interface: 'Management (10.10.10.1)',
      address: '10.10.20.1',
      timestamp: '2013-09-13T15:08:02.000Z',
    });
    expect(events[1]).toMatchObject({ type: 'delivery_connection', dcid: 12345, port: 7025 });
    expect(events[2]).toMatchObject({ protocol: 'TLSv1', cipher: 'RC4-SHA', destination: 'the.cpq.host' });
    expect(events[3]).toMatchObject({ mid: 23456, rid: 0, destination: 'Centralized Policy Quarantine' });
    expect(events[4]).toMatchObject({ destination: 'centralized policy quarantine' });
    expect(events[5]).toMatchObject({
      reason: 'verify error: no certificate from server',
      dcid: 123456,
      timestamp: '2013-09-06T09:01:44.000Z',
    });
    expect(events[6]?.raw).toMatch(/^Fri Sep {2}6 09:01:44 2013 Info: DCID 123456 TLS was required/);
  });

  it('reads both Connection Error layouts', () => {
    expect(events[7]).toMatchObject({
      dcid: 63,
      domain: 'the.cpq.host',
      address: '10.10.20.1',
      port: 7025,
      details: 'timeout',
      reason: 'network error',
    });
    expect(events[8]).toMatchObject({
      dcid: 263,
      domain: null,
      address: '10.10.20.1',
      details: 'Connection refused',
    });
  });

  it('refuses output with no log line at all, and accepts an empty grep', () => {
    expect(parseMailLog(fixture('maillog-garbage.txt')).ok).toBe(false);
    expect(parseMailLog('\r\n')).toEqual({ ok: true, facts: { events: [], unknownLines: [] } });
  });
});
