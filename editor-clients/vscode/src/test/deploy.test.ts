// Unit tests of Deploy's questions without VS Code: which error answers ask, what answers are accepted.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deployOptions, missingSettingOf, questionFor } from '../deploy';

const missing = (setting: string) => ({ code: -32803, message: `no ${setting} given`, data: { missingSetting: setting } });

test('a missing setting is asked for once, other failures are not', () => {
  assert.equal(questionFor(missing('stackName'), {})?.setting, 'stackName');
  assert.equal(questionFor(missing('s3Bucket'), { stackName: 'app' })?.setting, 's3Bucket');
  assert.equal(questionFor(missing('region'), {})?.setting, 'region');
  // Already answered: asking again would loop.
  assert.equal(questionFor(missing('stackName'), { stackName: 'app' }), undefined);
  assert.equal(questionFor({ code: -32803, message: 'access denied' }, {}), undefined);
  assert.equal(questionFor(missing('somethingNew'), {}), undefined);
  assert.equal(questionFor(new Error('the server stopped'), {}), undefined);
  assert.equal(questionFor(undefined, {}), undefined);
  assert.equal(missingSettingOf(missing('somethingNew')), 'somethingNew');
  assert.equal(missingSettingOf({ data: null }), undefined);
});

test('answers are checked as CloudFormation and S3 check them', () => {
  const stack = questionFor(missing('stackName'), {})!;
  assert.equal(stack.validate('my-app-dev'), undefined);
  for (const bad of ['', '1app', 'my_app', 'a'.repeat(129)]) {
    assert.match(stack.validate(bad) ?? '', /starts with a letter/, bad);
  }
  const bucket = questionFor(missing('s3Bucket'), {})!;
  assert.equal(bucket.validate('my-artifacts.bucket'), undefined);
  for (const bad of ['ab', 'My-Bucket', '-bucket', 'bucket-', 'a..b', 'a'.repeat(64)]) {
    assert.ok(bucket.validate(bad), bad);
  }
  const region = questionFor(missing('region'), {})!;
  assert.equal(region.validate('eu-central-2'), undefined);
  assert.ok(region.validate('europe'));
});

test('the lens options are kept and the server is told the extension asks', () => {
  assert.deepEqual(deployOptions(['/t/template.yaml']), { askForMissing: true });
  assert.deepEqual(deployOptions(['/t/template.yaml', { stackName: 'app' }]), { stackName: 'app', askForMissing: true });
  assert.deepEqual(deployOptions(['/t/template.yaml', null]), { askForMissing: true });
});
