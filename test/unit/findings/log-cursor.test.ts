import { eventsSince } from '../../../shared/findings/log-cursor';
import { ev } from './builders';

const line = (time: string) => ev('application_fault', time, { text: `fault at ${time}` });

describe('eventsSince', () => {
  const a = line('10:00:00');
  const b1 = line('10:00:05');
  const b2 = line('10:00:05');
  const c = line('10:00:09');

  test('first read: lines within the lookback of the newest line; cursor at the newest', () => {
    const out = eventsSince([a, b1, b2, c], undefined, 5_000);
    expect(out.fresh).toEqual([b1, b2, c]);
    expect(out.cursor).toEqual({ timestamp: c.timestamp, atTimestamp: 1 });
  });

  test('lines at the cursor second beyond those already seen are new', () => {
    const cursor = { timestamp: b1.timestamp!, atTimestamp: 1 };
    expect(eventsSince([a, b1, b2, c], cursor, 0).fresh).toEqual([b2, c]);
    expect(eventsSince([a, b1, b2], { ...cursor, atTimestamp: 2 }, 0).fresh).toEqual([]);
  });

  test('the cursor counts every line of its second', () => {
    expect(eventsSince([a, b1, b2], undefined, 60_000).cursor).toEqual({
      timestamp: b1.timestamp,
      atTimestamp: 2,
    });
  });

  test('a read older than the cursor (rotated log) keeps the cursor and counts nothing', () => {
    const cursor = { timestamp: c.timestamp!, atTimestamp: 1 };
    expect(eventsSince([a, b1], cursor, 0)).toEqual({ fresh: [], cursor });
  });

  test('no timed lines: nothing new, cursor unchanged', () => {
    expect(eventsSince([line('')], undefined, 0)).toEqual({ fresh: [], cursor: undefined });
  });
});
