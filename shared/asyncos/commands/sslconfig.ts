/** `sslconfig`: inbound and outbound TLS methods and cipher lists (left through its menu). */
import { parseSslconfig } from '../parsers/sslconfig';
import { bareCommand } from './define';

export const sslconfigCommand = bareCommand('sslconfig', parseSslconfig);
