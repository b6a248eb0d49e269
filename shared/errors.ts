/** Base of every error cpq-monitor throws on purpose: a stable snake_case `code` plus a sentence. */
export class CpqMonitorError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Configuration that does not validate (inventory, CLI arguments, environment variables). */
export class ConfigError extends CpqMonitorError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid_config', message, options);
  }
}

/** Monitoring-plugin exit codes, used by every CLI command. */
export const EXIT = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;

/** Severity of one result: what a check saw, ordered from best to worst. */
export type Status = 'ok' | 'warning' | 'critical';

const STATUS_RANK: Record<Status, number> = { ok: 0, warning: 1, critical: 2 };

/** The worse of the given statuses (`ok` for none). */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'ok';
  for (const s of statuses) if (STATUS_RANK[s] > STATUS_RANK[worst]) worst = s;
  return worst;
}

/** Message of anything thrown, for places that must turn an unknown error into a sentence. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
