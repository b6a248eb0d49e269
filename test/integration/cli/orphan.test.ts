/**
 * `npx cpq-monitor ...` runs the command as a child of npx, which forwards no signal to it: a
 * `kill -TERM` to npx must still stop the command. Every command watches its parent (cli/main.ts).
 */
import { connect } from 'node:net';
import { outputMatching, startCpqMonitor } from '../../helpers/run-cli';

/** A parent that starts the command as its child and forwards nothing, as npx does. */
const NPX_LIKE = [
  '-e',
  'require("node:child_process").spawn(process.execPath, process.argv.slice(1), { stdio: "inherit" }); setInterval(() => {}, 1000);',
];

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

describe('a command whose parent is killed', () => {
  it('lab (which runs until a signal) stops and closes its listeners when its npx-like parent gets SIGTERM', async () => {
    const started = startCpqMonitor(['lab', '--count', '1', '--json'], { node: NPX_LIKE });
    const text = await outputMatching(started, /"listeners":\[.*\]\}/);
    const port = (JSON.parse(text.trim().split('\n').at(-1)!) as { listeners: Array<{ port: number }> })
      .listeners[0]!.port;
    expect(await refused(port)).toBe(false);
    started.child.kill('SIGTERM');
    // The run ends when the pipes close, which the command (the wrapper's child) holds until it
    // exits: without the parent watch this waits for Jest's timeout.
    await started.done;
    expect(await refused(port)).toBe(true);
  }, 60_000);
});
