/**
 * What a host may be written as wherever cpq-monitor takes one (an inventory's `host`, a command
 * argument): an IP address or a DNS host name. One definition, so what the inventory accepts
 * and what the read-only session may type cannot drift apart.
 */
import { isIP } from 'node:net';

/**
 * A DNS host name (RFC 1123 labels: letters, digits and inner hyphens, 1-63 characters each; at
 * most 253 characters in all), optionally written fully qualified with the root's trailing dot
 * (`esa1.example.com.`), which resolvers accept as the same name.
 */
export const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Whether `host` is an IPv4/IPv6 address or a DNS host name. */
export function isHostOrAddress(host: string): boolean {
  return isIP(host) !== 0 || HOST_NAME.test(host);
}
