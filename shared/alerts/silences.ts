/**
 * Silences: run-time mutes that on-call adds without a deploy (docs/alerts.md#silences). A silence
 * matches alerts by appliance, by check, or both (glob patterns), always ends, and is honoured by
 * the next cycle. Maintenance windows of the inventory and stored silences become one `Mute` per
 * alert here. Pure: the clock comes in as an argument.
 */
import picomatch from 'picomatch';
import { ConfigError } from '../errors';
import { endsOf } from '../findings/ids';
import { CHECKS } from '../findings/types';
import type { Inventory, MaintenanceWindow } from '../inventory/schema';
import { isProtectedAlert, PROTECTED_CHECKS } from './protected';
import type { Mute } from './record';

export { PROTECTED_CHECKS } from './protected';

/** One stored silence. */
export interface Silence {
  /** `sil-` and 8 hex digits. */
  id: string;
  /** Appliance name or glob (`*`, `esa-fra-*`); also matched against both ends of a path finding. */
  appliance: string;
  /** Check name or glob; absent: every check (never PROTECTED_CHECKS). */
  check?: string;
  /** When it was added (and starts), ISO 8601. */
  createdAt: string;
  /** When it ends, ISO 8601. */
  endsAt: string;
  reason: string;
  /** Who added it: the caller's AWS identity (STS) in AWS, `--author` or the OS user locally. */
  author: string;
}

/** What an alert is matched on. */
export interface AlertKey {
  id: string;
  appliance: string;
  check: string;
}

/** Default and bounds of `alerting.maxSilenceDays`. */
export const SILENCE_DAYS = { default: 7, max: 90 } as const;
/** Most active silences kept (one DynamoDB item holds them all; items are limited to 400 KB). */
export const MAX_SILENCES = 200;
/** Longest reason, author and pattern kept (keeps MAX_SILENCES well inside one item). */
export const SILENCE_FIELD_MAX = { reason: 500, author: 256, pattern: 128 } as const;

/** Names, `*` (any run of characters) and `?` (one character); nothing else is a pattern. */
const PATTERN = /^[A-Za-z0-9._*?-]+$/;
const GLOB = /[*?]/;
const ALLOWED =
  "only * and ? are allowed (negation '!', classes '[...]', braces and extended globs are refused)";

/** Why `pattern` is not a silence pattern, or undefined when it is one. */
function patternProblem(pattern: string): string | undefined {
  if (pattern.length > SILENCE_FIELD_MAX.pattern)
    return `is longer than ${SILENCE_FIELD_MAX.pattern} characters`;
  if (PATTERN.test(pattern)) return undefined;
  return /[![\]{}()@+|]/.test(pattern) ? ALLOWED : 'may hold letters, digits, . _ - and the globs * ?';
}

/**
 * Why a stored silence cannot be honoured (a pattern outside PATTERN, whoever wrote it), or
 * undefined. Such a silence mutes nothing; the cycle reports it.
 */
export function storedSilenceProblem(s: Pick<Silence, 'id' | 'appliance' | 'check'>): string | undefined {
  for (const [field, pattern] of [
    ['appliance', s.appliance],
    ['check', s.check],
  ] as const) {
    if (pattern === undefined) continue;
    const problem = typeof pattern === 'string' ? patternProblem(pattern) : 'is not text';
    if (problem !== undefined) {
      return `silence ${String(s.id)} mutes nothing: its ${field} pattern ${JSON.stringify(pattern)} ${problem}`;
    }
  }
  return undefined;
}

/** A silence request that could not be accepted; the message names the option. */
export class SilenceError extends ConfigError {}

/** The stored silences a cycle can honour, and one problem line for each it cannot. */
export function honouredSilences(stored: readonly Silence[]): { silences: Silence[]; problems: string[] } {
  const silences: Silence[] = [];
  const problems: string[] = [];
  for (const s of stored) {
    const problem = storedSilenceProblem(s);
    if (problem === undefined) silences.push(s);
    else problems.push(problem);
  }
  return { silences, problems };
}

/** Milliseconds of a duration like `90m`, `2h`, `1d12h`, `1h30m`. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$/.exec(text.trim());
  if (m === null || text.trim() === '' || (m[1] ?? m[2] ?? m[3]) === undefined) {
    throw new SilenceError(`--for must be a duration like 30m, 2h, 1d or 1h30m, not "${text}"`);
  }
  const ms = (Number(m[1] ?? 0) * 24 * 60 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 60_000;
  if (ms <= 0) throw new SilenceError('--for must be longer than zero');
  return ms;
}

/** What `silence add` asks for. */
export interface SilenceRequest {
  appliance: string;
  check?: string;
  /** `--for`: a duration from now. */
  for?: string;
  /** `--until`: an ISO 8601 end. */
  until?: string;
  reason: string;
  author: string;
}

/**
 * A validated silence (without its id), or a SilenceError naming what is wrong. With an inventory,
 * a pattern without glob characters must name one of its appliances, and a check one of CHECKS.
 */
export function newSilence(
  req: SilenceRequest,
  now: Date,
  maxDays: number,
  inventory?: Pick<Inventory, 'appliances'>,
): Omit<Silence, 'id'> {
  const appliance = req.appliance.trim();
  const appProblem = patternProblem(appliance);
  if (appProblem !== undefined) {
    throw new SilenceError(
      `--appliance must be an appliance name or a glob such as '*' or 'esa-fra-*': it ${appProblem}, not "${req.appliance}"`,
    );
  }
  if (inventory !== undefined && !GLOB.test(appliance)) {
    const names = inventory.appliances.map((a) => a.name);
    if (!names.includes(appliance)) {
      throw new SilenceError(`--appliance "${appliance}" is not in the inventory (${names.join(', ')})`);
    }
  }
  let check: string | undefined;
  if (req.check !== undefined) {
    check = req.check.trim();
    const checkProblem = patternProblem(check);
    if (checkProblem !== undefined) {
      throw new SilenceError(
        `--check must be a check name or a glob such as 'cpq_cert_*': it ${checkProblem}, not "${req.check}"`,
      );
    }
    if (PROTECTED_CHECKS.includes(check)) {
      throw new SilenceError(
        `${check} is protected: no silence mutes it (docs/alerts.md#protected-checks); acknowledge the incident instead`,
      );
    }
    if (!GLOB.test(check) && !(CHECKS as readonly string[]).includes(check)) {
      throw new SilenceError(`--check "${check}" is not a check; the checks are: ${CHECKS.join(', ')}`);
    }
  }
  if ((req.for === undefined) === (req.until === undefined)) {
    throw new SilenceError('give exactly one of --for DURATION or --until ISO-TIME: every silence ends');
  }
  const endMs = req.for !== undefined ? now.getTime() + parseDuration(req.for) : Date.parse(req.until!);
  if (Number.isNaN(endMs) || (req.until !== undefined && !/^\d{4}-\d{2}-\d{2}T/.test(req.until))) {
    throw new SilenceError(`--until must be an ISO 8601 time like 2026-03-02T14:00:00Z, not "${req.until}"`);
  }
  if (endMs <= now.getTime()) throw new SilenceError(`--until ${req.until} is not in the future`);
  if (endMs - now.getTime() > maxDays * 86_400_000) {
    throw new SilenceError(
      `a silence lasts at most ${maxDays} days (alerting.maxSilenceDays); for longer, plan a maintenance window in the inventory`,
    );
  }
  const reason = req.reason.trim();
  if (reason === '') throw new SilenceError('--reason must say why (it is shown to everyone on call)');
  if (reason.length > SILENCE_FIELD_MAX.reason) {
    throw new SilenceError(`--reason is longer than ${SILENCE_FIELD_MAX.reason} characters`);
  }
  const author = req.author.trim();
  if (author === '' || author.length > SILENCE_FIELD_MAX.author) {
    throw new SilenceError(`--author must be 1 to ${SILENCE_FIELD_MAX.author} characters`);
  }
  return {
    appliance,
    ...(check !== undefined ? { check } : {}),
    createdAt: now.toISOString(),
    endsAt: new Date(endMs).toISOString(),
    reason,
    author,
  };
}

/**
 * When a silence really ends: its `endsAt`, but never later than `maxDays` after it was added
 * (the cycle enforces the cap again, whoever wrote the item).
 */
export function silenceEnd(s: Silence, maxDays: number): number {
  return Math.min(Date.parse(s.endsAt), Date.parse(s.createdAt) + maxDays * 86_400_000);
}

/** True while the silence is in force at `now`. */
export function silenceActive(s: Silence, now: Date, maxDays: number): boolean {
  const t = now.getTime();
  return Date.parse(s.createdAt) <= t && t < silenceEnd(s, maxDays);
}

/** True when the silence's patterns cover the alert (ignoring time). */
export function silenceMatches(s: Pick<Silence, 'appliance' | 'check'>, alert: AlertKey): boolean {
  if (isProtectedAlert(alert)) return false;
  if (storedSilenceProblem({ id: '', ...s }) !== undefined) return false;
  if (s.check !== undefined && !picomatch.isMatch(alert.check, s.check)) return false;
  const names = new Set([alert.appliance, ...endsOf(alert.id)]);
  return [...names].some((n) => picomatch.isMatch(n, s.appliance, { dot: true }));
}

/** True when a maintenance window covers the alert at `now` (its appliance or either end of its path). */
function windowCovers(w: MaintenanceWindow, alert: AlertKey, now: Date): boolean {
  const t = now.getTime();
  if (t < Date.parse(w.start) || t >= Date.parse(w.end)) return false;
  return w.appliance === '*' || w.appliance === alert.appliance || endsOf(alert.id).includes(w.appliance);
}

/**
 * The cycle's mute lookup: the inventory's maintenance windows first (planned work), then the
 * active silence that ends last. Undefined when nothing mutes the alert.
 */
export function muteResolver(
  inventory: Pick<Inventory, 'maintenance'>,
  silences: readonly Silence[],
  now: Date,
  maxDays: number,
): (appliance: string, check: string, id: string) => Mute | undefined {
  const active = silences
    .filter((s) => silenceActive(s, now, maxDays))
    .sort((a, b) => silenceEnd(b, maxDays) - silenceEnd(a, maxDays));
  return (appliance, check, id) => {
    const key = { id, appliance, check };
    const w = inventory.maintenance.find((m) => windowCovers(m, key, now));
    if (w !== undefined) return { reason: w.reason, until: w.end, source: 'maintenance' };
    const s = active.find((x) => silenceMatches(x, key));
    if (s === undefined) return undefined;
    return {
      reason: s.reason,
      until: new Date(silenceEnd(s, maxDays)).toISOString(),
      source: 'silence',
      silenceId: s.id,
      author: s.author,
    };
  };
}

/** One row of `silence list`: a silence or a maintenance window, and the open alerts it mutes now. */
export interface MuteListing {
  id: string;
  source: 'silence' | 'maintenance';
  appliance: string;
  check: string | null;
  startsAt: string;
  endsAt: string;
  reason: string;
  author: string | null;
  /** In force now (a maintenance window may be planned for later). */
  active: boolean;
  /** Ids of open alerts it covers now. */
  muting: string[];
}

/**
 * Everything that mutes or will mute alerts: the active silences and the maintenance windows
 * that have not ended, each with the open alerts it covers now.
 */
export function listMutes(
  inventory: Pick<Inventory, 'maintenance'> | undefined,
  silences: readonly Silence[],
  openAlerts: readonly AlertKey[],
  now: Date,
  maxDays: number,
): MuteListing[] {
  const out: MuteListing[] = [];
  (inventory?.maintenance ?? []).forEach((w, i) => {
    if (Date.parse(w.end) <= now.getTime()) return;
    out.push({
      id: `maintenance[${i}]`,
      source: 'maintenance',
      appliance: w.appliance,
      check: null,
      startsAt: w.start,
      endsAt: w.end,
      reason: w.reason,
      author: null,
      active: Date.parse(w.start) <= now.getTime(),
      muting: openAlerts.filter((a) => windowCovers(w, a, now)).map((a) => a.id),
    });
  });
  for (const s of silences) {
    if (!silenceActive(s, now, maxDays)) continue;
    out.push({
      id: s.id,
      source: 'silence',
      appliance: s.appliance,
      check: s.check ?? null,
      startsAt: s.createdAt,
      endsAt: new Date(silenceEnd(s, maxDays)).toISOString(),
      reason: s.reason,
      author: s.author,
      active: true,
      muting: openAlerts.filter((a) => silenceMatches(s, a)).map((a) => a.id),
    });
  }
  return out;
}
