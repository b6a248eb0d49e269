/** The cycle's I/O under its deadline: bounded concurrency, time left handed to each item, late items listed. */
import { getEventListeners } from 'node:events';
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

  it('on abort: the work in flight is told to end, its result discarded and listed as interrupted; nothing new starts', async () => {
    const controller = new AbortController();
    const skipped: string[] = [];
    const seen: AbortSignal[] = [];
    let started = 0;
    const results = await runBounded(
      ['a', 'b', 'c', 'd', 'e'],
      { concurrency: 2, deadline: Date.now() + 60_000, skipped, signal: controller.signal },
      (s) => `probe ${s}`,
      (s, _left, signal) => {
        seen.push(signal);
        started++;
        // `a` ends before the abort; `b` and `c` wait until their own signal tells them to end.
        if (s === 'a') return Promise.resolve(s);
        if (started === 3) setImmediate(() => controller.abort());
        return new Promise<string>((resolve) =>
          signal.addEventListener('abort', () => resolve(s), { once: true }),
        );
      },
    );
    expect(results).toEqual(['a']);
    expect(skipped).toEqual(['probe b (interrupted)', 'probe c (interrupted)', 'probe d', 'probe e']);
    expect(seen.slice(1).every((s) => s.aborted)).toBe(true);
    // Each item had its own signal; the caller's carries no listener once the work is over.
    expect(new Set(seen).size).toBe(3);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('an already aborted signal starts nothing', async () => {
    const skipped: string[] = [];
    const work = jest.fn(async () => 1);
    const results = await runBounded(
      ['a', 'b'],
      { concurrency: 2, deadline: Date.now() + 60_000, skipped, signal: AbortSignal.abort() },
      (s) => `ssh ${s}`,
      work,
    );
    expect(results).toEqual([]);
    expect(work).not.toHaveBeenCalled();
    expect(skipped).toEqual(['ssh a', 'ssh b']);
  });
});
