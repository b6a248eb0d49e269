/** Lambda: the read-only SSH reads of one shard, every five minutes (schedule input names the shard). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { sshReads } from '../shared/cycle/ssh-reads';
import { awsCycleDeps, configFromEnv, createAwsClients, handleCycle } from './runtime';

const config = configFromEnv(process.env);
const deps = awsCycleDeps(config, createAwsClients(), [sshReads]);

// middy without middleware, on purpose: why is at the top of runtime.ts.
export const handler = middy().handler((event: unknown, context: Context) =>
  handleCycle('ssh', event, context, config, deps),
);
