// Finding the samwise binaries: the user's setting, then the copy bundled in the VSIX under `bin/`, then PATH.
// This file does not import `vscode` so that node's test runner can exercise it directly.

import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import * as path from 'node:path';

export type BinaryName = 'samwise-lsp' | 'samwise-dap';

/** The setting that names each binary's path (declared in package.json). */
export const SETTING_OF: Record<BinaryName, string> = {
  'samwise-lsp': 'samwise.server.path',
  'samwise-dap': 'samwise.debugAdapter.path',
};

/** Where a binary was found; logged so a user can tell which copy is running. */
export type BinarySource = 'setting' | 'bundled' | 'PATH';

export interface FoundBinary {
  name: BinaryName;
  path: string;
  source: BinarySource;
}

export interface DiscoveryInput {
  name: BinaryName;
  /** The value of the user's path setting, if any (empty strings count as unset). */
  setting?: string;
  /** Name of that setting, quoted in error messages so the user knows what to change. */
  settingName: string;
  /** The extension's install folder; a bundled binary lives in its `bin/` folder. */
  extensionPath: string;
  /** The PATH to search, as in `process.env.PATH`. */
  pathEnv?: string;
  platform?: NodeJS.Platform;
}

/** The binary could not be found or does not run; `message` says what to do. */
export class BinaryError extends Error {}

async function isExecutable(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) {
      return false;
    }
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exeName(name: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${name}.exe` : name;
}

/**
 * Finds `input.name` in the documented order. A setting that points nowhere is an error rather than a silent fall
 * through: the user asked for that copy, and quietly running another one would hide their mistake.
 */
export async function findBinary(input: DiscoveryInput): Promise<FoundBinary> {
  const platform = input.platform ?? process.platform;
  const file = exeName(input.name, platform);
  const setting = input.setting?.trim();
  if (setting) {
    if (await isExecutable(setting)) {
      return { name: input.name, path: setting, source: 'setting' };
    }
    throw new BinaryError(
      `The setting "${input.settingName}" points to "${setting}", which is not an executable file. ` +
        `Fix the path or clear the setting to use the bundled ${input.name}.`,
    );
  }
  const bundled = path.join(input.extensionPath, 'bin', file);
  if (await isExecutable(bundled)) {
    return { name: input.name, path: bundled, source: 'bundled' };
  }
  const sep = platform === 'win32' ? ';' : ':';
  for (const dir of (input.pathEnv ?? '').split(sep)) {
    if (!dir) {
      continue;
    }
    const candidate = path.join(dir, file);
    if (await isExecutable(candidate)) {
      return { name: input.name, path: candidate, source: 'PATH' };
    }
  }
  throw new BinaryError(
    `${input.name} was not found: it is not bundled with this extension (${bundled}) and not on PATH. ` +
      `Install it (cargo install --path ${input.name === 'samwise-lsp' ? 'lsp' : 'dap-adapter'} in the samwise ` +
      `repository) or set "${input.settingName}" to its full path.`,
  );
}

/**
 * Runs `<binary> --version` and returns its first line. A binary that fails here would fail later with a less
 * helpful error (or speak the protocol wrongly), so the check happens before anything is started.
 */
export function checkVersion(found: FoundBinary, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(found.path, ['--version'], { timeout: timeoutMs }, (err, stdout, stderr) => {
      const line = stdout.toString().split(/\r?\n/)[0].trim();
      if (err) {
        const why = err.killed ? `did not answer within ${timeoutMs} ms` : `failed: ${err.message.trim()}`;
        reject(new BinaryError(`"${found.path} --version" ${why}. ${stderr.toString().trim()}`.trim()));
      } else if (!line.startsWith(found.name)) {
        reject(
          new BinaryError(
            `"${found.path} --version" printed "${line}", not "${found.name} <version>": ` +
              `this is not a ${found.name} binary.`,
          ),
        );
      } else {
        resolve(line);
      }
    });
  });
}

/** One log line naming the copy in use, e.g. `samwise-lsp 0.1.0 (bundled: /ext/bin/samwise-lsp)`. */
export function describe(found: FoundBinary, version: string): string {
  return `${version} (${found.source}: ${found.path})`;
}
