// Running one function once through `samwise-dap invoke` (the "Invoke locally" code lens): the command line, the
// choice of event files, and the child process. This file does not import `vscode` so node's test runner can use it.

import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * The `samwise-dap invoke` command line. `interpreter` is the Python the user chose for the workspace; without it
 * samwise-dap uses `python3` from PATH.
 */
export function invokeArgs(templatePath: string, logicalId: string, eventFile: string, interpreter?: string): string[] {
  const args = ['invoke', '--template', templatePath, '--function', logicalId, '--event', eventFile];
  return interpreter ? [...args, '--interpreter', interpreter] : args;
}

/**
 * Event files a user may want to invoke with: the JSON files in `events/` beside the template, which is where
 * `sam init` projects keep them. Sorted so the choice offered is stable.
 */
export async function eventFilesFor(templatePath: string): Promise<string[]> {
  const dir = path.join(path.dirname(templatePath), 'events');
  try {
    const names = await fs.readdir(dir);
    return names
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** A temporary `{}` event for functions without event files; removed by the caller through `dispose`. */
export async function emptyEventFile(): Promise<{ path: string; dispose: () => Promise<void> }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'samwise-event-'));
  const file = path.join(dir, 'event.json');
  await fs.writeFile(file, '{}\n');
  return { path: file, dispose: () => fs.rm(dir, { recursive: true, force: true }) };
}

export interface InvokeOutcome {
  exitCode: number | null;
  /** The result JSON the function returned (the binary's stdout). */
  stdout: string;
}

/**
 * Runs the binary, passing each stderr line (the function's logs) to `onLog` as it arrives, and resolves when the
 * process ends. Aborting `signal` kills the process so nothing outlives a cancelled invocation.
 */
export function runInvoke(
  binary: string,
  args: string[],
  cwd: string,
  onLog: (line: string) => void,
  signal?: AbortSignal,
): Promise<InvokeOutcome> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('invocation cancelled', 'AbortError'));
      return;
    }
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let stdout = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      lines.forEach(onLog);
    });
    child.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (exitCode) => {
      signal?.removeEventListener('abort', onAbort);
      if (aborted) {
        reject(new DOMException('invocation cancelled', 'AbortError'));
        return;
      }
      if (pending) {
        onLog(pending);
      }
      resolve({ exitCode, stdout });
    });
  });
}
