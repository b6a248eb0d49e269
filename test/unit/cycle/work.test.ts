/** The cycle's I/O under its deadline: bounded concurrency, time left handed to each item, late items listed. */
import { MIN_WORK_MS, runBounded } from '../../../shared/cycle/work';

afterEach(() => jest.restoreAllMocks());

describe('runBounded', () => {
  it('runs every item, at most `concurrency` at once, results in the items’ order', async () => {
    let inFlight = 0;
    let most = 0;
    const skipped: string[] = [];
    const results = await runBounded(
      [1, 2, 3, 4, 5],
      { concurrency: 2, deadline: Date.now() + 60_000, skipped },
      (n) => `item ${n}`,
      async (n, left) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        expect(left).toBeGreaterThan(MIN_WORK_MS);
        return n * 10;
      },
    );
    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(most).toBe(2);
    expect(skipped).toEqual([]);
  });

  it('does not start an item whose turn comes with too little time left, and lists it', async () => {
    // A clock the work itself moves: the first item uses up all but half a second.
    let clock = 0;
    jest.spyOn(Date, 'now').mockImplementation(() => clock);
    const skipped: string[] = [];
    const lefts: number[] = [];
    const results = await runBounded(
      ['a', 'b', 'c'],
      { concurrency: 1, deadline: 10_000, skipped },
      (s) => `probe ${s}`,
      async (s, left) => {
        lefts.push(left);
        clock = 10_000 - MIN_WORK_MS / 2;
        return s;
      },
    );
    expect(results).toEqual(['a']);
    expect(lefts).toEqual([10_000]);
    expect(skipped).toEqual(['probe b', 'probe c']);
  });
});
