/**
 * The lab's AsyncOS CLI loop in one PTY shell: banner, prompt, read a line, run its steps (output
 * paged at `-Press Any Key For More-`, menus asked and answered), with the shell faults switched on
 * at run time.
 */
import type { ServerChannel } from 'ssh2';
import type { ApplianceState } from './appliance-state';
import { commandSteps } from './asyncos-output';
import { LineInput, writeCrlf } from './line-input';
import type { Step } from './output/steps';
import { bannerText, promptFor } from './output/system';
import type { SshFault } from './ssh-faults';

/** What one shell needs from its server. */
export interface LabShell {
  state: ApplianceState;
  /** The fault in force now (read at every step, so switching it affects open shells). */
  fault(): SshFault;
  /** The command (first word) after which `yes_no_question` asks. */
  faultCommand(): string;
  /** Lines per page before `-Press Any Key For More-`. */
  pagerLines: number;
  /** Called with every line typed (menu answers and pager keys included). */
  onLine(line: string): void;
  /** Called with an answer typed at the `yes_no_question` fault's question. */
  onQuestionAnswer(answer: string): void;
}

type Write = (text: string) => Promise<void>;

/** The hostile passphrase menu of `relabelled_mask_menu`: "Mask" is option 2, 1 shows them. */
const RELABELLED_MASK_MENU = '\nChoose the passphrase option:\n1. Plain passphrases\n2. Mask passphrases\n';

/** The CLI loop of one shell: banner, prompt, read a line, run its steps. */
export async function runShell(stream: ServerChannel, echo: boolean, shell: LabShell): Promise<void> {
  const input = new LineInput(stream, echo, shell.onLine);
  const write: Write = (text) => writeCrlf(stream, text);
  if (shell.fault() === 'hang_after_login') return; // the shell opens, nothing ever comes
  const { state } = shell;
  await write(bannerText(state));
  const prompt = shell.fault() === 'unknown_prompt' ? `admin@${state.hostname}:~$ ` : promptFor(state);
  for (;;) {
    await write(prompt);
    const line = await input.next();
    if (line === null) return;
    if (shell.fault() === 'hang_in_command') {
      await write('\n');
      return; // echoed, then silence
    }
    if (shell.fault() === 'endless_output') {
      await endless(stream, state.hostname);
      return;
    }
    if (/^(?:exit|quit)$/.test(line.trim())) {
      stream.end();
      return;
    }
    if (shell.fault() === 'relabelled_mask_menu' && line.trim() === 'showconfig') {
      if (!(await relabelledMaskMenu(input, write))) return;
      continue;
    }
    if (!(await runSteps(commandSteps(state, line), input, write, shell.pagerLines))) return;
    const asks = shell.fault() === 'yes_no_question' && line.trim().split(/\s+/)[0] === shell.faultCommand();
    if (asks && !(await yesNoQuestion(stream, input, write, shell))) return;
  }
}

/** `showconfig` under `relabelled_mask_menu`: a passphrase menu whose "1" shows them in plain text. */
async function relabelledMaskMenu(input: LineInput, write: Write): Promise<boolean> {
  await write(RELABELLED_MASK_MENU);
  await write('[1]> ');
  const answer = await input.next();
  if (answer === null) return false;
  await write(answer === '2' ? '\nMasked.\n' : '\nPlain passphrases: admin=ironport\n');
  return true;
}

/** The `yes_no_question` fault: an empty line or a yes reboots (the session ends); false when it ended. */
async function yesNoQuestion(
  stream: ServerChannel,
  input: LineInput,
  write: Write,
  shell: LabShell,
): Promise<boolean> {
  await write('\nReally commit and reboot? [Y]> ');
  const answer = await input.next();
  if (answer === null) return false;
  shell.onQuestionAnswer(answer);
  if (answer === '' || /^y/i.test(answer)) {
    await write('\nRebooting...\n');
    stream.end();
    return false;
  }
  return true;
}

/** Runs a command's steps: prints, asks, and follows the answer; false once the channel is gone. */
async function runSteps(steps: Step[], input: LineInput, write: Write, pagerLines: number): Promise<boolean> {
  for (const step of steps) {
    if ('out' in step) {
      if (!(await paged(step.out, input, write, pagerLines))) return false;
    } else {
      await write(step.ask);
      const answer = await input.next();
      if (answer === null) return false;
      if (!(await runSteps(step.next(answer), input, write, pagerLines))) return false;
    }
  }
  return true;
}

/** Writes text a page at a time, waiting for a key at `-Press Any Key For More-`. */
async function paged(text: string, input: LineInput, write: Write, pagerLines: number): Promise<boolean> {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i += pagerLines) {
    const page = lines.slice(i, i + pagerLines);
    const last = i + pagerLines >= lines.length;
    await write(last ? page.join('\n') : `${page.join('\n')}\n`);
    if (!last) {
      await write('-Press Any Key For More-');
      const key = await input.next({ echo: false });
      if (key === null) return false;
      // Erase the pager line the way a terminal CLI does.
      await write(`\r${' '.repeat(24)}\r`);
    }
  }
  return true;
}

/** Streams log-like lines forever (the `tail` a monitor must never run), until the channel closes. */
async function endless(stream: ServerChannel, hostname: string): Promise<void> {
  let i = 0;
  while (!stream.destroyed && !stream.writableEnded) {
    await writeCrlf(
      stream,
      `Fri Nov 27 07:00:${String(i % 60).padStart(2, '0')} 2026 Info: ${hostname} MID ${i} queued for delivery\n`,
    );
    i++;
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
}
