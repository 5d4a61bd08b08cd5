// Unit tests of binary discovery: the order setting -> bundled -> PATH, the errors a user sees, and the
// `--version` check, against fake binaries written to a temporary folder.

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { BinaryError, checkVersion, findBinary } from '../binaries';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'samwise-bin-test-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** Writes an executable shell script at `rel` (under the temp folder) that prints `out` and exits with `code`. */
async function fakeBinary(rel: string, out: string, code = 0): Promise<string> {
  const file = path.join(dir, rel);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `#!/bin/sh\necho '${out}'\nexit ${code}\n`, { mode: 0o755 });
  return file;
}

const base = { name: 'samwise-lsp' as const, settingName: 'samwise.server.path', platform: 'linux' as const };

test('the setting wins over the bundled copy and PATH', async () => {
  const setting = await fakeBinary('custom/lsp', 'samwise-lsp 9.9.9');
  await fakeBinary('ext/bin/samwise-lsp', 'samwise-lsp 0.1.0');
  await fakeBinary('path1/samwise-lsp', 'samwise-lsp 0.0.1');
  const found = await findBinary({ ...base, setting, extensionPath: path.join(dir, 'ext'), pathEnv: path.join(dir, 'path1') });
  assert.deepEqual(found, { name: 'samwise-lsp', path: setting, source: 'setting' });
});

test('the bundled copy wins over PATH when no setting is given', async () => {
  const bundled = await fakeBinary('ext/bin/samwise-lsp', 'samwise-lsp 0.1.0');
  await fakeBinary('path1/samwise-lsp', 'samwise-lsp 0.0.1');
  const found = await findBinary({ ...base, setting: '  ', extensionPath: path.join(dir, 'ext'), pathEnv: path.join(dir, 'path1') });
  assert.equal(found.source, 'bundled');
  assert.equal(found.path, bundled);
});

test('PATH is searched in order, skipping non-executable files and folders', async () => {
  await fs.mkdir(path.join(dir, 'p1/samwise-lsp'), { recursive: true });
  await fs.mkdir(path.join(dir, 'p2'), { recursive: true });
  await fs.writeFile(path.join(dir, 'p2/samwise-lsp'), 'not executable', { mode: 0o644 });
  const third = await fakeBinary('p3/samwise-lsp', 'samwise-lsp 0.1.0');
  await fakeBinary('p4/samwise-lsp', 'samwise-lsp 0.1.0');
  const pathEnv = ['', 'p1', 'p2', 'p3', 'p4'].map((p) => (p ? path.join(dir, p) : p)).join(':');
  const found = await findBinary({ ...base, extensionPath: path.join(dir, 'ext'), pathEnv });
  assert.deepEqual(found, { name: 'samwise-lsp', path: third, source: 'PATH' });
});

test('a setting that points nowhere is reported, not skipped', async () => {
  await fakeBinary('ext/bin/samwise-lsp', 'samwise-lsp 0.1.0');
  const missing = path.join(dir, 'nope');
  await assert.rejects(
    findBinary({ ...base, setting: missing, extensionPath: path.join(dir, 'ext'), pathEnv: '' }),
    (err: Error) => err instanceof BinaryError && err.message.includes('"samwise.server.path"') && err.message.includes(missing),
  );
});

test('nothing found: the error names the setting and how to install', async () => {
  await assert.rejects(
    findBinary({ ...base, name: 'samwise-dap', settingName: 'samwise.debugAdapter.path', extensionPath: dir, pathEnv: dir }),
    (err: Error) =>
      err instanceof BinaryError &&
      err.message.startsWith('samwise-dap was not found') &&
      err.message.includes('cargo install --path dap-adapter') &&
      err.message.includes('"samwise.debugAdapter.path"'),
  );
});

test('on Windows the .exe name and ; separator are used', async () => {
  const exe = await fakeBinary('w2/samwise-lsp.exe', 'samwise-lsp 0.1.0');
  await fakeBinary('w1/samwise-lsp', 'samwise-lsp 0.1.0');
  const pathEnv = [path.join(dir, 'w1'), path.join(dir, 'w2')].join(';');
  const found = await findBinary({ ...base, platform: 'win32', extensionPath: dir, pathEnv });
  assert.equal(found.path, exe);
});

test('--version: the first line is returned when it names the binary', async () => {
  const file = await fakeBinary('a/samwise-lsp', 'samwise-lsp 0.1.0');
  assert.equal(await checkVersion({ name: 'samwise-lsp', path: file, source: 'PATH' }), 'samwise-lsp 0.1.0');
});

test('--version: another program is rejected with what it printed', async () => {
  const file = await fakeBinary('a/samwise-lsp', 'Python 3.11.2');
  await assert.rejects(checkVersion({ name: 'samwise-lsp', path: file, source: 'PATH' }), /printed "Python 3.11.2"/);
});

test('--version: a failing binary is rejected', async () => {
  const file = await fakeBinary('a/samwise-dap', 'boom', 3);
  await assert.rejects(checkVersion({ name: 'samwise-dap', path: file, source: 'setting' }), BinaryError);
});

test('--version: a binary that hangs is rejected after the timeout', async () => {
  const file = path.join(dir, 'hang');
  await fs.writeFile(file, '#!/bin/sh\nexec sleep 30\n', { mode: 0o755 });
  await assert.rejects(checkVersion({ name: 'samwise-lsp', path: file, source: 'PATH' }, 200), /did not answer within 200 ms/);
});
