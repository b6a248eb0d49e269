/**
 * Every integration the forwarder can drive, listed once. `FORWARD_TO` names one of them; the
 * stack's integrations construct sets that variable and the integration's own ones.
 */
import { chatbot } from './chatbot';
import type { AnyIntegration } from './integration';
import { pagerDuty } from './pagerduty';

/** The integrations by name (the name is also each one's `name`). */
export const INTEGRATIONS = {
  chatbot,
  pagerduty: pagerDuty,
} as const satisfies Record<string, AnyIntegration>;

/** The name of an integration: a `FORWARD_TO` value. */
export type IntegrationName = keyof typeof INTEGRATIONS;

/** The registered names, in registry order. */
export const INTEGRATION_NAMES = Object.keys(INTEGRATIONS) as [IntegrationName, ...IntegrationName[]];
