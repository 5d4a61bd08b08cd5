// Drives samwise-dap with VS Code's own DAP test client (DebugClient from
// @vscode/debugadapter-testsupport) in socket mode: stop at the example's `# BP: entry` breakpoint,
// read the event and the context, evaluate, then terminate, all over the wire format VS Code speaks.
//
// Run: `npm test` here after `cargo build --bin samwise-dap` and `scripts/test-env.sh`
// (SAMWISE_DAP and SAMWISE_PYTHON override the binary and the interpreter).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dts from '@vscode/debugadapter-testsupport';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const binary = process.env.SAMWISE_DAP ?? path.join(repo, 'target/debug/samwise-dap');
const python = process.env.SAMWISE_PYTHON ?? path.join(repo, '.venv/bin/python');
const example = path.join(repo, 'examples/parameter-store');
const app = realpathSync(path.join(example, 'src/app.py'));
const entry = readFileSync(app, 'utf8').split('\n').findIndex((l) => l.includes('# BP: entry')) + 1;

/** Starts `samwise-dap --port 0` and resolves with the process and the port from its one stdout line. */
function startServer() {
  const server = spawn(binary, ['--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    server.on('error', reject);
    createInterface({ input: server.stdout }).once('line', (line) => {
      const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      if (match) resolve({ server, port: Number(match[1]) });
      else reject(new Error(`unexpected first line: ${line}`));
    });
  });
}

test('DebugClient stops at the marker breakpoint and reads locals', { timeout: 120_000 }, async () => {
  const { server, port } = await startServer();
  const dc = new dts.DebugClient('unused', 'unused', 'samwise');
  try {
    await dc.start(port);
    const outputs = [];
    dc.on('output', (e) => outputs.push(e.body.output));
    const launch = {
      invokeTarget: { target: 'template', templatePath: 'template.yaml', logicalId: 'GreetingFunction' },
      lambda: { payload: { path: 'events/event.json' } },
      pythonPath: python,
      cwd: example,
    };
    // hitBreakpoint waits for `initialized`, sets the breakpoint, sends configurationDone and launch
    // together (debugpy answers launch only after configurationDone) and checks the stop location.
    await dc.hitBreakpoint(launch, { path: app, line: entry });

    const threads = await dc.threadsRequest();
    const threadId = threads.body.threads[0].id;
    const stack = await dc.stackTraceRequest({ threadId });
    const frame = stack.body.stackFrames[0];
    assert.equal(frame.name, 'lambda_handler');
    const scopes = await dc.scopesRequest({ frameId: frame.id });
    const vars = await dc.variablesRequest({ variablesReference: scopes.body.scopes[0].variablesReference });
    const byName = Object.fromEntries(vars.body.variables.map((v) => [v.name, v]));
    assert.equal(byName.event.value, "{'name': 'Ada'}");
    assert.ok(byName.context, 'the Lambda context is a local');
    const evaluated = await dc.evaluateRequest({ expression: 'context.function_name', frameId: frame.id, context: 'repl' });
    assert.equal(evaluated.body.result, "'GreetingFunction'");

    await Promise.all([dc.waitForEvent('terminated'), dc.terminateRequest({})]);
    assert.ok(outputs.join('').includes('The invocation was cancelled.'), outputs.join(''));
  } finally {
    // stop() sends disconnect and waits for its answer; in server mode it has no timeout of its own.
    await Promise.race([dc.stop(), new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    server.kill();
  }
});
