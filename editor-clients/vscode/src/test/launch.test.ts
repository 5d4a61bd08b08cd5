// Unit tests of launch-configuration building: functions found in templates (YAML with short-form tags, JSON,
// Globals, broken text), the configuration produced per function, and validation messages.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configurationFor, findFunctions, isPythonFunction, toLaunchRequest, validateConfiguration } from '../launch';

const SAM = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
Resources:
  Table:
    Type: AWS::DynamoDB::Table
  GetParam:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Environment:
        Variables:
          NAME: !Ref ParamName
          ARN: !Sub "arn:aws:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/x"
  Node:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: main.run
      Runtime: python3.11
      Code: ./plain
`;

function summary(text: string): string[] {
  return findFunctions(text).map((f) => `${f.logicalId} ${f.type} ${f.handler ?? '-'} ${f.runtime ?? '-'}`);
}

test('functions of a SAM template, with Globals and short-form tags', () => {
  assert.deepEqual(summary(SAM), [
    'GetParam AWS::Serverless::Function app.handler python3.12',
    'Node AWS::Serverless::Function index.handler nodejs20.x',
    'Plain AWS::Lambda::Function main.run python3.11',
  ]);
});

test('Globals do not apply to AWS::Lambda::Function', () => {
  const text = 'Globals:\n  Function:\n    Runtime: python3.12\nResources:\n  F:\n    Type: AWS::Lambda::Function\n';
  assert.deepEqual(summary(text), ['F AWS::Lambda::Function - -']);
});

test('JSON templates are read too', () => {
  const json = JSON.stringify({
    Resources: { Fn: { Type: 'AWS::Serverless::Function', Properties: { Handler: 'a.b', Runtime: 'python3.13' } } },
  });
  assert.deepEqual(summary(json), ['Fn AWS::Serverless::Function a.b python3.13']);
});

test('files that are not templates, and broken text, give no functions and do not throw', () => {
  assert.deepEqual(summary('name: ci\non: [push]\n'), []);
  assert.deepEqual(summary('[1, 2'), []);
  assert.deepEqual(summary('Resources: 3'), []);
  assert.deepEqual(summary(''), []);
});

test('a half-typed template still yields the functions that parse', () => {
  const text = 'Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.h\n  Next:\n    Type: AWS::S3::\n';
  assert.deepEqual(summary(text), ['Fn AWS::Serverless::Function app.h -']);
});

test('only Python (or unknown) runtimes are offered for debugging', () => {
  assert.deepEqual(
    findFunctions(SAM).filter(isPythonFunction).map((f) => f.logicalId),
    ['GetParam', 'Plain'],
  );
});

test('configuration for a function inside the workspace uses ${workspaceFolder}', () => {
  const [fn] = findFunctions(SAM);
  const config = configurationFor('/ws', '/ws/app/template.yaml', fn, '/ws/app/events/event.json');
  assert.deepEqual(config, {
    type: 'samwise',
    request: 'direct-invoke',
    name: 'GetParam (app/template.yaml)',
    invokeTarget: { target: 'template', templatePath: '${workspaceFolder}/app/template.yaml', logicalId: 'GetParam' },
    lambda: { payload: { path: '${workspaceFolder}/app/events/event.json' }, environmentVariables: {} },
  });
});

test('configuration without an event file sends an empty JSON payload; outside paths stay absolute', () => {
  const config = configurationFor('/ws', '/elsewhere/template.yaml', { logicalId: 'F', type: 'AWS::Serverless::Function' });
  assert.equal(config.name, 'F (template.yaml)');
  assert.deepEqual(config.invokeTarget, { target: 'template', templatePath: '/elsewhere/template.yaml', logicalId: 'F' });
  assert.deepEqual(config.lambda?.payload, { json: {} });
});

test('a built configuration passes validation', () => {
  const config = configurationFor('/ws', '/ws/template.yaml', { logicalId: 'F', type: 'AWS::Serverless::Function' });
  assert.deepEqual(validateConfiguration(config), []);
});

test('an aws-sam code target is accepted', () => {
  assert.deepEqual(
    validateConfiguration({
      invokeTarget: { target: 'code', lambdaHandler: 'app.handler', projectRoot: '/ws/src' },
      lambda: { payload: { json: { a: 1 } } },
    }),
    [],
  );
});

test('validation names each missing or conflicting field', () => {
  assert.deepEqual(validateConfiguration({}), [
    '"invokeTarget" is missing: add {"target": "template", "templatePath": ..., "logicalId": ...}.',
  ]);
  assert.deepEqual(validateConfiguration({ invokeTarget: { target: 'template' }, lambda: { payload: { json: {}, path: 'e.json' } } }), [
    '"invokeTarget.templatePath" is missing: give the path of the SAM template.',
    '"invokeTarget.logicalId" is missing: give the logical ID of the function resource.',
    '"lambda.payload" has both "json" and "path": keep one.',
  ]);
  assert.deepEqual(validateConfiguration({ invokeTarget: { target: 'code' } }), [
    '"invokeTarget.lambdaHandler" is missing: give the handler, e.g. "app.lambda_handler".',
    '"invokeTarget.projectRoot" is missing: give the folder that contains the handler module.',
  ]);
  assert.match(validateConfiguration({ invokeTarget: { target: 'api' } })[0], /"invokeTarget.target" is "api"/);
});

test('direct-invoke reaches the adapter as launch, with every other attribute unchanged', () => {
  const config = configurationFor('/ws', '/ws/template.yaml', { logicalId: 'F', type: 'AWS::Serverless::Function' });
  const launched = toLaunchRequest({ ...config, stopOnEntry: true });
  assert.equal(launched.request, 'launch');
  assert.deepEqual({ ...launched, request: config.request }, { ...config, stopOnEntry: true });
  assert.equal(config.request, 'direct-invoke', 'the input is not modified');
  const attach = { request: 'attach', name: 'x' };
  assert.equal(toLaunchRequest(attach), attach);
});

test('an unknown request is reported', () => {
  const config = configurationFor('/ws', '/ws/template.yaml', { logicalId: 'F', type: 'AWS::Serverless::Function' });
  assert.deepEqual(validateConfiguration({ ...config, request: 'attach' }), ['"request" is "attach": use "direct-invoke" (or "launch").']);
  assert.deepEqual(validateConfiguration({ ...config, request: 'launch' }), []);
});
