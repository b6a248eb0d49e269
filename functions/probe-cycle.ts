/** Lambda: the CPQ listener probes of one shard, every minute (schedule input names the shard). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { awsCycleDeps, configFromEnv, createAwsClients, handleCycle } from './runtime';

const config = configFromEnv(process.env);
const deps = awsCycleDeps(config, createAwsClients());

// middy without middleware, on purpose: why is at the top of runtime.ts.
export const handler = middy().handler((event: unknown, context: Context) =>
  handleCycle('probe', event, context, config, deps),
);
