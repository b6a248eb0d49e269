/**
 * Stands in for the Lambda Node.js runtime in a plain child process (test/helpers/lambda-bundles.ts):
 * loads a built function's handler module at start (the cold start), runs the one invocation the
 * parent sends over IPC with a context whose remaining time counts down from the function's
 * timeout, sends back the result or the error, and exits (Lambda freezes the sandbox instead).
 *
 * Usage: node lambda-runtime.cjs MODULE EXPORT, then send { event, timeoutMs, requestId }.
 */
'use strict';

const [, , file, exportName] = process.argv;

function describe(err) {
  return {
    name: err?.name || 'Error',
    message: err?.message || String(err),
  };
}

let handler;
let initError;
try {
  handler = require(file)[exportName];
  if (typeof handler !== 'function') throw new TypeError(`${file} exports no function "${exportName}"`);
} catch (err) {
  initError = err;
}

function answer(message) {
  process.send(message, () => process.exit(0));
}

process.once('message', async ({ event, timeoutMs, requestId }) => {
  if (initError !== undefined) return answer({ error: { phase: 'init', ...describe(initError) } });
  const deadline = Date.now() + timeoutMs;
  const context = {
    awsRequestId: requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  try {
    answer({ result: await handler(event, context) });
  } catch (err) {
    answer({ error: { phase: 'invoke', ...describe(err) } });
  }
});
