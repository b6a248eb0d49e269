/** One step of a command's interaction in the lab CLI: print text, or ask and continue with the answer. */
export type Step = { out: string } | { ask: string; next: (answer: string) => Step[] };
