/**
 * The inventory checks that compare fields (duplicate names, `quarantine.sma`, maintenance
 * windows). They read any document, valid or not, so the schema and the loader share them.
 */

/** A problem found by comparing fields: where (a path into the document) and what. */
export interface CrossFieldProblem {
  path: Array<string | number>;
  message: string;
}

function record(v: unknown): Record<string, unknown> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/**
 * The checks that compare fields (duplicate names, `quarantine.sma`, maintenance windows), over
 * any document, valid or not: zod skips `superRefine` while field errors exist, so the loader
 * runs these on the raw document too and every problem is reported at once. A field too broken
 * to compare is left to the field errors.
 */
export function crossFieldProblems(doc: unknown): CrossFieldProblem[] {
  const out: CrossFieldProblem[] = [];
  const root = record(doc);
  const list = Array.isArray(root?.appliances) ? (root.appliances as unknown[]) : [];
  const byName = new Map<string, Record<string, unknown>>();
  list.forEach((raw, i) => {
    const a = record(raw);
    if (a === null || typeof a.name !== 'string') return;
    if (byName.has(a.name))
      out.push({ path: ['appliances', i, 'name'], message: `duplicate appliance name "${a.name}"` });
    else byName.set(a.name, a);
  });
  list.forEach((raw, i) => {
    const a = record(raw);
    const q = record(a?.quarantine);
    if (a === null || q === null) return;
    if (a.role !== 'esa') {
      if (a.role === 'sma')
        out.push({
          path: ['appliances', i, 'quarantine'],
          message: 'only an esa sends quarantined mail to an sma',
        });
      return;
    }
    if (typeof q.sma !== 'string') return;
    if (byName.get(q.sma)?.role !== 'sma') {
      out.push({
        path: ['appliances', i, 'quarantine', 'sma'],
        message: `"${q.sma}" is not an appliance with role sma in this inventory`,
      });
    }
  });
  const windows = Array.isArray(root?.maintenance) ? (root.maintenance as unknown[]) : [];
  windows.forEach((raw, i) => {
    const m = record(raw);
    if (m === null) return;
    if (typeof m.appliance === 'string' && m.appliance !== '*' && !byName.has(m.appliance))
      out.push({ path: ['maintenance', i, 'appliance'], message: `unknown appliance "${m.appliance}"` });
    const start = typeof m.start === 'string' ? Date.parse(m.start) : Number.NaN;
    const end = typeof m.end === 'string' ? Date.parse(m.end) : Number.NaN;
    if (!Number.isNaN(start) && !Number.isNaN(end) && end <= start)
      out.push({ path: ['maintenance', i, 'end'], message: 'end must be after start' });
  });
  return out;
}
