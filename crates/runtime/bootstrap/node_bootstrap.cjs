// samwise Lambda runtime client for Node.js functions.
//
// Embedded in samwise and written to a cache directory at run time. It plays the part of Lambda's Node.js
// runtime interface client: it talks to samwise's Runtime API emulator (AWS_LAMBDA_RUNTIME_API), loads the
// handler named by _HANDLER from LAMBDA_TASK_ROOT (CommonJS or ES module), builds the context object, calls
// the handler (async or callback style) and posts the result or the error in Lambda's format. It is a
// CommonJS file so that it runs the same whatever "type" the user's package.json declares.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const { pathToFileURL } = require('url');

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(':');
const agent = new http.Agent({ keepAlive: true });

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, method, path: '/2018-06-01/runtime' + urlPath, headers: headers || {}, agent },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function errorPayload(err, requestId, errorType) {
  const e = err instanceof Error ? err : new Error(String(err));
  const trace = typeof e.stack === 'string' ? e.stack.split('\n') : [];
  const payload = {
    errorType: errorType || e.name || 'Error',
    errorMessage: e.message,
    stackTrace: trace,
    // Lambda's Node.js runtime names the stack `trace`; keep it for code that reads that field.
    trace,
  };
  if (requestId) payload.requestId = requestId;
  return payload;
}

function logError(payload) {
  process.stderr.write(`ERROR\t${payload.errorType}: ${payload.errorMessage}\n`);
  if (payload.stackTrace.length) process.stderr.write(payload.stackTrace.join('\n') + '\n');
}

async function initError(payload) {
  logError(payload);
  const body = JSON.stringify(payload);
  await request('POST', '/init/error', body, {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': payload.errorType,
  });
  // The emulator ends the process after an init error; wait for that rather than racing it.
  await request('GET', '/invocation/next');
  process.exit(1);
}

async function loadHandler() {
  const spec = process.env._HANDLER;
  const root = process.env.LAMBDA_TASK_ROOT;
  const dot = spec.lastIndexOf('.');
  if (dot <= 0) {
    return initError({ errorType: 'Runtime.MalformedHandlerName', errorMessage: `Bad handler ${spec}`, stackTrace: [] });
  }
  const modulePath = spec.slice(0, dot);
  const name = spec.slice(dot + 1);
  const file = ['.js', '.mjs', '.cjs']
    .map((ext) => path.resolve(root, modulePath + ext))
    .find((f) => fs.existsSync(f));
  if (!file) {
    return initError({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: `Error: Cannot find module '${modulePath}'`,
      stackTrace: [],
    });
  }
  let ns;
  try {
    // import() loads ES modules and CommonJS alike; for CommonJS the exports object is the default export.
    ns = await import(pathToFileURL(file).href);
  } catch (err) {
    return initError(errorPayload(err, undefined, err instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : undefined));
  }
  const handler = typeof ns[name] === 'function' ? ns[name] : ns.default && ns.default[name];
  if (typeof handler !== 'function') {
    return initError({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${modulePath}.${name} is undefined or not exported`,
      stackTrace: [],
    });
  }
  return handler;
}

function makeContext(requestId, headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms'] || 0);
  const env = process.env;
  const parse = (v) => (v ? JSON.parse(v) : undefined);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse(headers['lambda-runtime-cognito-identity']),
    clientContext: parse(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

function callHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    // Lambda supports both styles: a handler declaring three parameters gets a callback; any handler
    // may return a promise.
    const callback = (err, data) => (err ? reject(err) : resolve(data));
    try {
      const ret = handler(event, context, callback);
      if (ret && typeof ret.then === 'function') ret.then(resolve, reject);
      else if (handler.length < 3) resolve(ret);
    } catch (err) {
      reject(err);
    }
  });
}

async function main() {
  const handler = await loadHandler();
  for (;;) {
    const next = await request('GET', '/invocation/next');
    const requestId = next.headers['lambda-runtime-aws-request-id'];
    const context = makeContext(requestId, next.headers);
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString('utf8')) : {};
    } catch (err) {
      const payload = { errorType: 'Runtime.UnmarshalError', errorMessage: err.message, requestId, stackTrace: [] };
      await postError(requestId, payload);
      continue;
    }
    let result;
    try {
      result = await callHandler(handler, event, context);
    } catch (err) {
      await postError(requestId, errorPayload(err, requestId));
      continue;
    }
    let body;
    try {
      body = result === undefined ? 'null' : JSON.stringify(result);
    } catch (err) {
      await postError(requestId, errorPayload(err, requestId, 'Runtime.MarshalError'));
      continue;
    }
    await request('POST', `/invocation/${requestId}/response`, body, { 'Content-Type': 'application/json' });
  }
}

async function postError(requestId, payload) {
  logError(payload);
  await request('POST', `/invocation/${requestId}/error`, JSON.stringify(payload), {
    'Content-Type': 'application/json',
    'Lambda-Runtime-Function-Error-Type': payload.errorType,
  });
}

main().catch((err) => {
  process.stderr.write(`samwise bootstrap failed: ${err && err.stack}\n`);
  process.exit(1);
});
