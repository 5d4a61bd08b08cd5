// Deploy's questions: when the server answers that a setting is missing (a project without samconfig.toml has no
// stack name or bucket), the extension asks the user for it and runs the deploy again with the answer, as
// `sam deploy --guided` does. The server saves the settings of a deploy that succeeds to samconfig.toml, so a project
// is asked once. This file does not import `vscode` so node's test runner can exercise it.

/** A deploy command option the server may report as missing, and how to ask for it. */
export interface Question {
  /** The option of the `samwise.deploy` command the answer goes to. */
  setting: 'stackName' | 's3Bucket' | 'region';
  prompt: string;
  placeHolder: string;
  /** `undefined` when `value` is acceptable, else why not (shown under the input box). */
  validate(value: string): string | undefined;
}

const QUESTIONS: Question[] = [
  {
    setting: 'stackName',
    prompt: 'Name of the CloudFormation stack to deploy to (saved to samconfig.toml once the deploy succeeds)',
    placeHolder: 'my-app-dev',
    validate: (value) =>
      /^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(value)
        ? undefined
        : 'A stack name starts with a letter and has only letters, digits and hyphens (at most 128 characters).',
  },
  {
    setting: 's3Bucket',
    prompt: 'Existing S3 bucket to upload the packaged code to (saved to samconfig.toml once the deploy succeeds)',
    placeHolder: 'my-artifacts-bucket',
    validate: (value) =>
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) && !value.includes('..')
        ? undefined
        : 'A bucket name has 3 to 63 lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit.',
  },
  {
    setting: 'region',
    prompt: 'AWS region to deploy to (saved to samconfig.toml once the deploy succeeds)',
    placeHolder: 'us-east-1',
    validate: (value) =>
      /^[a-z]{2}(-[a-z]+)+-\d+$/.test(value) ? undefined : 'A region looks like us-east-1 or eu-central-2.',
  },
];

/**
 * The question for the setting an error answer of `samwise.deploy` names (`data.missingSetting`), unless `options`
 * already holds an answer for it (asking twice would loop); `undefined` for any other failure.
 */
export function questionFor(error: unknown, options: Record<string, unknown>): Question | undefined {
  const setting = missingSettingOf(error);
  if (setting === undefined || setting in options) {
    return undefined;
  }
  return QUESTIONS.find((q) => q.setting === setting);
}

/** The setting an error answer of `samwise.deploy` names as missing (`data.missingSetting`), if any. */
export function missingSettingOf(error: unknown): string | undefined {
  const data = (error as { data?: unknown } | null | undefined)?.data;
  const setting = (data as { missingSetting?: unknown } | null | undefined)?.missingSetting;
  return typeof setting === 'string' ? setting : undefined;
}

/** The options object of a `samwise.deploy` run from the command's arguments: the lens's, plus `askForMissing`. */
export function deployOptions(args: unknown[]): Record<string, unknown> {
  const given = args[1];
  const base = typeof given === 'object' && given !== null && !Array.isArray(given) ? (given as Record<string, unknown>) : {};
  return { ...base, askForMissing: true };
}
