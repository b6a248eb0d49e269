/**
 * The alert engine one cycle calls: findings in, state transitions stored, notifications
 * delivered through an outbox.
 *
 * Outbox protocol, per alert: compute the next state; write it conditionally (on the version
 * read) with the new notification unsent and leased to this cycle; publish; then conditionally
 * remove what was delivered. A lost write means another cycle owns that transition, so this one
 * skips it. A failed publish stays in the outbox with its lease released and the next cycle
 * retries it; a cycle that dies mid-publish leaves a lease that expires after `leaseMs`.
 * Delivery is therefore at least once: a duplicate is possible only if a cycle dies between a
 * successful publish and the write that records it.
 */
import pLimit from 'p-limit';
import { type CallOptions, deadlineSignal } from '../aws/client-config';
import { errorMessage } from '../errors';
import { checkOf, intermittentOf } from '../findings/ids';
import { type Finding, type Severity, severityRank } from '../findings/types';
import type { Logger } from '../log';
import type { AlertStore } from '../state/alerts/store';
import type { Ack, AckNote } from './acks';
import type { AlertNotification, NotificationKind, Notifier, NotifyResult } from './notifier';
import { failuresBeforePageOf } from './protected';
import type { AlertRecord, AlertState, Mute, OutboxEntry } from './record';
import { lastErrorText } from './record-bounds';
import { type AlertInput, type AlertPolicy, type StepResult, stepAlert } from './state-machine';

/** Everything one call of the engine needs. */
export interface ProcessAlertsInput {
  /** Failing checks this cycle (one per id; the worst wins when an id repeats). */
  findings: Finding[];
  /** Ids this cycle evaluated; those without a finding count as passing. */
  checked: string[];
  now: Date;
  policy: AlertPolicy;
  /** The maintenance window or silence covering an alert now, if any (see silences.ts). */
  muteFor: (appliance: string, check: string, id: string) => Mute | undefined;
  /** The stored acknowledgement of an alert id, if any (the state machine checks its incident). */
  ackFor?: (id: string) => Ack | undefined;
  store: AlertStore;
  notifier: Notifier;
  logger?: Logger;
  /** Alerts processed at once; default 8. */
  concurrency?: number;
  /** How long a cycle owns an outbox entry it is publishing; default 120000 ms. */
  leaseMs?: number;
  /** Days a resolved record is kept (DynamoDB TTL); default 14. */
  retentionDays?: number;
  /**
   * Whether this call retries the undelivered notifications of an alert it neither found failing
   * nor checked. Default: every such alert. A sharded deployment can limit it to its own
   * appliances so that shards do not contend for the same retry (the loser of that race only
   * skips the alert for one cycle, but shows a conflict).
   */
  retriesFor?: (record: AlertRecord) => boolean;
  /**
   * The appliances whose open alerts this call may step (a shard's owned and context appliances,
   * and every appliance its findings and checked ids name): only their records are listed.
   * Default: every open record in the store.
   */
  appliances?: readonly string[];
  /**
   * Epoch ms by which the engine must be done: every store and notifier call is aborted then, and
   * an alert whose turn comes later is left for the next cycle (`deferred`). Default: none.
   */
  deadline?: number;
}

/** What happened to one notification this cycle. */
export interface NotificationOutcome {
  notificationId: string | null;
  kind: NotificationKind;
  /** `in_flight`: another cycle holds its lease; `held`: waits behind an earlier undelivered one. */
  outcome: 'sent' | 'failed' | 'muted' | 'in_flight' | 'held';
  /** True when the notification was decided by an earlier cycle (a retry). */
  retry: boolean;
  attempts: number;
  error?: string;
  /** For `muted`: what held it back (a maintenance window, a silence, an acknowledgement). */
  mutedBy?: string;
}

/** What happened to one alert this cycle. */
export interface AlertOutcome {
  id: string;
  appliance: string;
  check: string;
  before: AlertState | null;
  after: AlertState | null;
  severity: Severity | null;
  muted: Mute | null;
  /** The acknowledgement covering the open incident, if any. */
  ack?: AckNote;
  /**
   * `conflict`: another cycle changed it first and owns the transition; `error`: the store failed;
   * `deferred`: not processed, the deadline came first (the next cycle steps it).
   */
  status: 'updated' | 'unchanged' | 'conflict' | 'error' | 'deferred';
  notifications: NotificationOutcome[];
  error?: string;
}

/** The engine's report for one cycle. */
export interface AlertReport {
  alerts: AlertOutcome[];
  sent: number;
  failed: number;
  retried: number;
  muted: number;
  conflicts: number;
  errors: number;
  /** Alerts left for the next cycle because the deadline came first. */
  deferred: number;
  /** Set when the store could not even be listed: nothing was processed. */
  error?: string;
}

const MARK_SENT_ATTEMPTS = 3;

/**
 * Time kept after the last publish for the write that records it: a publish is cut this long
 * before the deadline, so its outcome (and the released lease) can still be stored.
 */
export const SETTLE_MS = 1000;

/** Least time worth starting an alert with (a read-modify-write and a publish). */
export const MIN_ALERT_MS = 250;

/**
 * The intermittent rule already counted its cycles: its alerts page and recover on the first
 * cycle. A check of PAGE_ON_FIRST_FAILURE pages on its first failure.
 */
function policyFor(id: string, policy: AlertPolicy): AlertPolicy {
  if (intermittentOf(id) !== undefined)
    return { ...policy, failuresBeforePage: 1, successesBeforeRecovery: 1 };
  return { ...policy, failuresBeforePage: failuresBeforePageOf(checkOf(id), policy.failuresBeforePage) };
}

/** Options of a store call: aborted at the deadline. */
function storeCall(ctx: Pick<ProcessAlertsInput, 'deadline'>): CallOptions {
  return ctx.deadline === undefined ? {} : { abortSignal: deadlineSignal(ctx.deadline) };
}

/** Options of a publish: aborted SETTLE_MS before the deadline. */
function publishCall(ctx: Pick<ProcessAlertsInput, 'deadline'>): CallOptions {
  return ctx.deadline === undefined ? {} : { abortSignal: deadlineSignal(ctx.deadline - SETTLE_MS) };
}

/** Runs one cycle of alerting; never throws (failures are in the report). */
export async function processAlerts(input: ProcessAlertsInput): Promise<AlertReport> {
  const failing = new Map<string, Finding>();
  for (const f of input.findings) {
    const seen = failing.get(f.id);
    if (seen === undefined || severityRank(f.severity) > severityRank(seen.severity)) failing.set(f.id, f);
  }
  const checked = new Set(input.checked);

  let records: Map<string, AlertRecord>;
  try {
    const open = await input.store.listOpen({
      ...storeCall(input),
      ...(input.appliances !== undefined ? { appliances: input.appliances } : {}),
    });
    records = new Map(open.map((r) => [r.id, r]));
    const missing = [...failing.keys()].filter((id) => !records.has(id));
    if (missing.length > 0) {
      for (const [id, r] of await input.store.get(missing, storeCall(input))) records.set(id, r);
    }
  } catch (err) {
    input.logger?.error({ err: errorMessage(err) }, 'alert store unavailable: no alert processed');
    return { ...emptyReport(), error: errorMessage(err) };
  }

  const ids = new Set<string>(failing.keys());
  for (const r of records.values()) {
    const retry = r.outbox.length > 0 && (input.retriesFor?.(r) ?? true);
    if (checked.has(r.id) || failing.has(r.id) || retry) ids.add(r.id);
  }

  const limit = pLimit(input.concurrency ?? 8);
  const outcomes = await Promise.all(
    [...ids].sort().map((id) => {
      const f = failing.get(id);
      const alertInput: AlertInput | null = f
        ? { kind: 'failure', finding: f }
        : checked.has(id)
          ? { kind: 'success' }
          : null;
      return limit(() => {
        if (input.deadline !== undefined && input.deadline - Date.now() < MIN_ALERT_MS) {
          return Promise.resolve(startingOutcome(id, records.get(id), alertInput, 'deferred'));
        }
        return processOne(id, records.get(id), alertInput, input);
      });
    }),
  );

  const report = emptyReport();
  for (const o of outcomes) {
    report.alerts.push(o);
    if (o.status === 'conflict') report.conflicts++;
    if (o.status === 'error') report.errors++;
    if (o.status === 'deferred') report.deferred++;
    for (const n of o.notifications) {
      if (n.outcome === 'sent') report.sent++;
      if (n.outcome === 'failed') report.failed++;
      if (n.outcome === 'muted') report.muted++;
      if (n.retry && (n.outcome === 'sent' || n.outcome === 'failed')) report.retried++;
    }
  }
  return report;
}

function emptyReport(): AlertReport {
  return { alerts: [], sent: 0, failed: 0, retried: 0, muted: 0, conflicts: 0, errors: 0, deferred: 0 };
}

/** An alert's outcome before anything happens to it: as stored, with `status`. */
function startingOutcome(
  id: string,
  prev: AlertRecord | undefined,
  alertInput: AlertInput | null,
  status: AlertOutcome['status'],
): AlertOutcome {
  return {
    id,
    appliance: prev?.appliance ?? (alertInput?.kind === 'failure' ? alertInput.finding.appliance : id),
    check: prev?.check ?? (alertInput?.kind === 'failure' ? alertInput.finding.check : ''),
    before: prev?.state ?? null,
    after: prev?.state ?? null,
    severity: prev?.severity ?? null,
    muted: prev?.muted ?? null,
    status,
    notifications: [],
  };
}

async function processOne(
  id: string,
  prev: AlertRecord | undefined,
  alertInput: AlertInput | null,
  ctx: ProcessAlertsInput,
): Promise<AlertOutcome> {
  const outcome = startingOutcome(id, prev, alertInput, 'unchanged');
  try {
    return await runOne(id, prev, alertInput, ctx, outcome);
  } catch (err) {
    // One alert's trouble (store, notifier throwing despite its contract) never stops the others.
    ctx.logger?.error({ alert: id, err: errorMessage(err) }, 'alert processing failed');
    return { ...outcome, status: 'error', error: errorMessage(err) };
  }
}

async function runOne(
  id: string,
  prev: AlertRecord | undefined,
  alertInput: AlertInput | null,
  ctx: ProcessAlertsInput,
  outcome: AlertOutcome,
): Promise<AlertOutcome> {
  const nowMs = ctx.now.getTime();
  const step = alertInput === null ? null : stepOne(id, prev, alertInput, ctx, outcome);
  const next = step === null ? prev : step.record;
  const newNotification = step?.notification ?? null;
  if (next === undefined) return outcome;
  outcome.appliance = next.appliance;
  outcome.check = next.check;
  outcome.after = next.state;
  outcome.severity = next.severity;
  outcome.muted = next.muted;
  if (next.ack !== undefined) outcome.ack = next.ack;

  // Claim the deliverable outbox entries (unleased or with an expired lease), oldest first.
  const leaseUntil = new Date(nowMs + (ctx.leaseMs ?? 120_000)).toISOString();
  const claimed: OutboxEntry[] = [];
  const outbox: OutboxEntry[] = next.outbox.map((e) => {
    if (e.leaseUntil !== null && Date.parse(e.leaseUntil) > nowMs) {
      outcome.notifications.push(noteFor(e, newNotification, 'in_flight'));
      return e;
    }
    const c: OutboxEntry = { ...e, attempts: e.attempts + 1, leaseUntil };
    claimed.push(c);
    return c;
  });
  if (!(step?.changed ?? false) && claimed.length === 0) return outcome;

  const written = await ctx.store.put({ ...next, outbox }, prev?.version ?? 0, storeCall(ctx));
  if (written.status === 'conflict') {
    ctx.logger?.info({ alert: id }, 'alert changed by another cycle: skipping its transition');
    outcome.status = 'conflict';
    outcome.after = prev?.state ?? null;
    outcome.notifications = [];
    return outcome;
  }
  outcome.status = 'updated';
  if (prev?.state !== next.state) {
    ctx.logger?.info({ alert: id, from: prev?.state ?? 'ok', to: next.state }, 'alert state changed');
  }

  const results = await publishInOrder(id, claimed, ctx);
  for (const entry of claimed) {
    const r = results.get(entry.notification.notificationId)!;
    const note = noteFor(entry, newNotification, r === 'held' ? 'held' : r.ok ? 'sent' : 'failed');
    if (r === 'held') note.attempts = entry.attempts - 1;
    else if (!r.ok) note.error = lastErrorText(`${r.code}: ${r.message}`);
    outcome.notifications.push(note);
  }

  await recordDeliveries(ctx, written.record, results, leaseUntil);
  return outcome;
}

/** Steps the alert's state machine, noting in `outcome` a notification a mute or ack held back. */
function stepOne(
  id: string,
  prev: AlertRecord | undefined,
  alertInput: AlertInput,
  ctx: ProcessAlertsInput,
  outcome: AlertOutcome,
): StepResult {
  const appliance = alertInput.kind === 'failure' ? alertInput.finding.appliance : (prev?.appliance ?? id);
  const check = alertInput.kind === 'failure' ? alertInput.finding.check : (prev?.check ?? outcome.check);
  const ack = ctx.ackFor?.(id);
  const step = stepAlert(id, prev, alertInput, {
    now: ctx.now,
    policy: policyFor(id, ctx.policy),
    mute: ctx.muteFor(appliance, check, id),
    ...(ack !== undefined ? { ack } : {}),
    retentionDays: ctx.retentionDays,
  });
  if (step.mutedKind !== null) {
    outcome.notifications.push({
      notificationId: null,
      kind: step.mutedKind,
      outcome: 'muted',
      retry: false,
      attempts: 0,
      ...(step.mutedBy !== undefined ? { mutedBy: step.mutedBy } : {}),
    });
  }
  return step;
}

/** Publishes the claimed entries in order; after a failure the later ones wait (`held`), so a recovery never precedes its page. */
async function publishInOrder(
  id: string,
  claimed: readonly OutboxEntry[],
  ctx: ProcessAlertsInput,
): Promise<Map<string, NotifyResult | 'held'>> {
  const results = new Map<string, NotifyResult | 'held'>();
  let blocked = false;
  for (const entry of claimed) {
    const nid = entry.notification.notificationId;
    if (blocked) {
      results.set(nid, 'held');
      continue;
    }
    let res: NotifyResult;
    try {
      res = await ctx.notifier.notify(entry.notification, publishCall(ctx));
    } catch (err) {
      res = { ok: false, code: 'notifier_threw', message: errorMessage(err), retryable: true };
    }
    results.set(nid, res);
    if (!res.ok) {
      blocked = true;
      // An error record: a pager that cannot deliver is itself an incident (docs/alerts.md).
      ctx.logger?.error(
        {
          alert: id,
          notification: nid,
          kind: entry.notification.kind,
          severity: entry.notification.severity,
          attempts: entry.attempts,
          code: res.code,
          err: res.message,
        },
        'notification not delivered: the next cycle retries it',
      );
    }
  }
  return results;
}

function noteFor(
  entry: OutboxEntry,
  fresh: AlertNotification | null,
  outcome: NotificationOutcome['outcome'],
): NotificationOutcome {
  return {
    notificationId: entry.notification.notificationId,
    kind: entry.notification.kind,
    outcome,
    retry: fresh?.notificationId !== entry.notification.notificationId,
    attempts: entry.attempts,
  };
}

/** Removes delivered entries and releases the leases of undelivered ones, re-reading on a conflict. */
async function recordDeliveries(
  ctx: ProcessAlertsInput,
  written: AlertRecord,
  results: Map<string, NotifyResult | 'held'>,
  leaseUntil: string,
): Promise<void> {
  let current: AlertRecord | undefined = written;
  for (let attempt = 0; attempt < MARK_SENT_ATTEMPTS && current !== undefined; attempt++) {
    const outbox: OutboxEntry[] = [];
    let touched = false;
    for (const e of current.outbox) {
      const r = results.get(e.notification.notificationId);
      // Only entries still leased to this cycle are ours to settle.
      if (r === undefined || e.leaseUntil !== leaseUntil) {
        outbox.push(e);
      } else if (r !== 'held' && r.ok) {
        touched = true;
      } else {
        touched = true;
        outbox.push({
          ...e,
          leaseUntil: null,
          attempts: r === 'held' ? e.attempts - 1 : e.attempts,
          lastError: r === 'held' ? e.lastError : lastErrorText(`${r.code}: ${r.message}`),
        });
      }
    }
    if (!touched) return;
    const put = await ctx.store.put({ ...current, outbox }, current.version, storeCall(ctx));
    if (put.status === 'written') return;
    current = (await ctx.store.get([written.id], storeCall(ctx))).get(written.id);
  }
  ctx.logger?.warn(
    { alert: written.id },
    'could not record delivery results; a delivered notification may be repeated after its lease',
  );
}
