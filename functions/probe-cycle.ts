/** Lambda: the CPQ listener probes of one shard, every minute (schedule input names the shard). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { listenerProbes } from '../shared/cycle/listener-probes';
import { awsCycleDeps, configFromEnv, createAwsClients, handleCycle } from './runtime';

const config = configFromEnv(process.env);
// The listener probes only: no SSH code reaches this function's bundle.
const deps = awsCycleDeps(config, createAwsClients(), [listenerProbes]);

// middy without middleware, on purpose: why is at the top of runtime.ts.
export const handler = middy().handler((event: unknown, context: Context) =>
  handleCycle('probe', event, context, config, deps),
);
