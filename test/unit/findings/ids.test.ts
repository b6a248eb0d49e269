/** Finding, path and notification ids: what they look like and that they come apart again. */
import {
  checkOf,
  endsOf,
  findingId,
  notificationId,
  ownerOf,
  parseFindingId,
  pathFindingId,
  pathId,
} from '../../../shared/findings/ids';

describe('building ids', () => {
  it('writes an appliance finding as <appliance>/<check> and a path finding as <from>-><to>/<check>', () => {
    expect(findingId('cpq_listener_refused', 'sma1')).toBe('sma1/cpq_listener_refused');
    expect(pathId('esa1', 'sma1')).toBe('esa1->sma1');
    expect(findingId('cpq_tls_anonymous', 'sma1', pathId('esa1', 'sma1'))).toBe(
      'esa1->sma1/cpq_tls_anonymous',
    );
    expect(pathFindingId('cpq_tls_anonymous', 'esa1', 'sma1')).toBe('esa1->sma1/cpq_tls_anonymous');
  });

  it("numbers an alert's notifications after its id", () => {
    expect(notificationId('esa1->sma1/cpq_tls_failed', 3)).toBe('esa1->sma1/cpq_tls_failed#3');
  });
});

describe('parsing ids', () => {
  it.each([
    ['sma1', 'cpq_listener_refused'],
    ['esa-2.lab', 'cpq_queue_backlog'],
    ['a_b.c-d', 'ssh_read_incomplete'],
  ] as const)('takes %s/%s apart again', (appliance, check) => {
    const id = findingId(check, appliance);
    expect(parseFindingId(id)).toEqual({ subject: appliance, check });
    expect(checkOf(id)).toBe(check);
    expect(endsOf(id)).toEqual([appliance]);
    expect(ownerOf(id)).toBe(appliance);
  });

  it.each([
    ['esa1', 'sma1', 'cpq_tls_anonymous'],
    ['sma-1.lab', 'esa_2.lab', 'cpq_tls_failed'],
  ] as const)('takes the path finding %s->%s/%s apart again; the listener end owns it', (from, to, check) => {
    const id = pathFindingId(check, from, to);
    expect(parseFindingId(id)).toEqual({ subject: pathId(from, to), check, path: { from, to } });
    expect(checkOf(id)).toBe(check);
    expect(endsOf(id)).toEqual([from, to]);
    expect(ownerOf(id)).toBe(to);
  });

  it('reads an id without a check as all subject (a record written by hand, say)', () => {
    expect(parseFindingId('esa1')).toEqual({ subject: 'esa1', check: '' });
    expect(ownerOf('esa1')).toBe('esa1');
  });
});
