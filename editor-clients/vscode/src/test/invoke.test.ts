// Unit tests of "Invoke locally" without VS Code: the command line, event-file discovery, and the child process
// (logs streamed line by line, stdout kept as the result, cancellation kills the process).

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { emptyEventFile, eventFilesFor, invokeArgs, runInvoke } from '../invoke';

let dir: string;
beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'samwise-invoke-test-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

test('the invoke command line', () => {
  assert.deepEqual(invokeArgs('/p/template.yaml', 'Fn', '/p/events/e.json'), [
    'invoke', '--template', '/p/template.yaml', '--function', 'Fn', '--event', '/p/events/e.json',
  ]);
  assert.deepEqual(invokeArgs('t.yaml', 'Fn', 'e.json', '/venv/bin/python').slice(-2), ['--interpreter', '/venv/bin/python']);
});

test('event files are the sorted JSON files of events/ beside the template', async () => {
  await fs.mkdir(path.join(dir, 'events'));
  for (const name of ['b.json', 'a.json', 'notes.txt']) {
    await fs.writeFile(path.join(dir, 'events', name), '{}');
  }
  assert.deepEqual(await eventFilesFor(path.join(dir, 'template.yaml')), [
    path.join(dir, 'events', 'a.json'),
    path.join(dir, 'events', 'b.json'),
  ]);
  assert.deepEqual(await eventFilesFor(path.join(dir, 'sub', 'template.yaml')), []);
});

test('the empty event file holds {} and is removed on dispose', async () => {
  const event = await emptyEventFile();
  assert.deepEqual(JSON.parse(await fs.readFile(event.path, 'utf8')), {});
  await event.dispose();
  await assert.rejects(fs.stat(event.path));
});

async function script(body: string): Promise<string> {
  const file = path.join(dir, 'fake-dap');
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

test('logs arrive line by line from stderr, the result from stdout', async () => {
  const bin = await script(`printf 'START\\nhello ' >&2; printf 'world\\nno newline' >&2; echo "{\\"args\\": \\"$*\\"}"`);
  const logs: string[] = [];
  const outcome = await runInvoke(bin, ['invoke', '--function', 'F'], dir, (l) => logs.push(l));
  assert.deepEqual(logs, ['START', 'hello world', 'no newline']);
  assert.equal(outcome.exitCode, 0);
  assert.deepEqual(JSON.parse(outcome.stdout), { args: 'invoke --function F' });
});

test('a failing invocation reports its exit code', async () => {
  const bin = await script('echo "function raised" >&2; exit 4');
  const logs: string[] = [];
  const outcome = await runInvoke(bin, [], dir, (l) => logs.push(l));
  assert.equal(outcome.exitCode, 4);
  assert.deepEqual(logs, ['function raised']);
});

test('aborting kills the process', async () => {
  const bin = await script('echo started >&2; exec sleep 30');
  const abort = new AbortController();
  const started = Date.now();
  const run = runInvoke(bin, [], dir, () => abort.abort(), abort.signal);
  await assert.rejects(run, { name: 'AbortError' });
  assert.ok(Date.now() - started < 10_000, 'the sleeping child was killed, not waited for');
});

test('an already aborted signal starts nothing', async () => {
  const marker = path.join(dir, 'ran');
  const bin = await script(`touch '${marker}'`);
  const abort = new AbortController();
  abort.abort();
  await assert.rejects(runInvoke(bin, [], dir, () => {}, abort.signal), { name: 'AbortError' });
  await assert.rejects(fs.stat(marker));
});
