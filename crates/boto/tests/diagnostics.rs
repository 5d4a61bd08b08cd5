//! Diagnostic fixtures: each rule with code that triggers it and code that must stay silent. The
//! snapshot shows every diagnostic under its line as `# ^^^ severity CODE: message`.

mod common;

use common::annotate;
use expect_test::expect;

#[test]
fn unknown_service_sw5001() {
    expect![[r#"
        import boto3
        ssm = boto3.client('smm')
                         # ^^^^^ error SW5001: unknown botocore service 'smm': boto3 raises UnknownServiceError; did you mean 'ssm'? [fix: Change to 'ssm']
        t = boto3.resource('lambda')
                         # ^^^^^^^^ error SW5001: unknown boto3 resource 'lambda': boto3 raises ResourceNotExistsError; boto3 has resources only for cloudformation, cloudwatch, dynamodb, ec2, glacier, iam, s3, sns, sqs
        ok = boto3.client('runtime.sagemaker')
        ok2 = boto3.resource(service_name='s3')
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('smm')\nt = boto3.resource('lambda')\nok = boto3.client('runtime.sagemaker')\nok2 = boto3.resource(service_name='s3')\n"));
}

#[test]
fn unknown_method_sw5002() {
    expect![[r#"
        import boto3
        ssm = boto3.client('ssm')
        ssm.get_paramter(Name='x')
          # ^^^^^^^^^^^^ error SW5002: the ssm client has no method 'get_paramter' (AttributeError at run time); did you mean 'get_parameter'? [fix: Change to 'get_parameter']
        ssm.get_paginator('describe_parameters')
        ssm._make_api_call('GetParameter', {})
        s3 = boto3.client('s3')
        s3.upload_file('f', 'b', 'k')
        ssm.close()
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('ssm')\nssm.get_paramter(Name='x')\nssm.get_paginator('describe_parameters')\nssm._make_api_call('GetParameter', {})\ns3 = boto3.client('s3')\ns3.upload_file('f', 'b', 'k')\nssm.close()\n"));
}

#[test]
fn positional_arguments_sw5003() {
    expect![[r#"
        import boto3
        ssm = boto3.client('ssm')
        ssm.get_parameter('name')
                        # ^^^^^^ error SW5003: ssm.get_parameter takes keyword arguments only: boto3 raises TypeError for positional arguments
        ssm.get_parameter(*args)
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter('name')\nssm.get_parameter(*args)\n"));
}

#[test]
fn unknown_keyword_sw5004() {
    expect![[r#"
        import boto3
        ssm = boto3.client('ssm')
        ssm.get_parameter(name='x')
          # ^^^^^^^^^^^^^ error SW5005: ssm.get_parameter is missing required parameter 'Name'
                        # ^^^^ error SW5004: ssm.get_parameter has no parameter 'name'; did you mean 'Name'? [fix: Change to 'Name']
        ssm.get_parameter(Name='x', Decrypt=True)
                                  # ^^^^^^^ error SW5004: ssm.get_parameter has no parameter 'Decrypt'
        ssm.describe_parameters(Filters=[{'Key': 'Name', 'Value': ['a']}])
                                       # ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error SW5005: Filters[0] is missing required key 'Values'
                                                        # ^^^^^ error SW5004: Filters[0] has no key 'Value'; did you mean 'Values'? [fix: Change to 'Values']
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(name='x')\nssm.get_parameter(Name='x', Decrypt=True)\nssm.describe_parameters(Filters=[{'Key': 'Name', 'Value': ['a']}])\n"));
}

#[test]
fn missing_required_sw5005() {
    expect![[r#"
        import boto3
        ssm = boto3.client('ssm')
        ssm.put_parameter(Name='x')
          # ^^^^^^^^^^^^^ error SW5005: ssm.put_parameter is missing required parameter 'Value'
        ssm.put_parameter(**kwargs)
        ssm.put_parameter(Name='n', **rest)
        ssm.describe_parameters(Filters=[{'Key': 'Name'}])
                                       # ^^^^^^^^^^^^^^^ error SW5005: Filters[0] is missing required key 'Values'
        ec2 = boto3.client('ec2')
        ec2.run_instances(ImageId='ami-1', MinCount=1, MaxCount=1)
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='x')\nssm.put_parameter(**kwargs)\nssm.put_parameter(Name='n', **rest)\nssm.describe_parameters(Filters=[{'Key': 'Name'}])\nec2 = boto3.client('ec2')\nec2.run_instances(ImageId='ami-1', MinCount=1, MaxCount=1)\n"));
}

#[test]
fn idempotency_tokens_are_not_required() {
    // ClientToken is required in the model but botocore generates it.
    let out = annotate(
        "import boto3\nsfn = boto3.client('ssm-incidents')\nsfn.create_replication_set(regions={'us-east-1': {}})\n",
    );
    assert!(!out.contains("clientToken"), "{out}");
}

#[test]
fn wrong_literal_type_sw5006() {
    expect![[r#"
        import boto3
        ssm = boto3.client('ssm')
        ssm.get_parameter(Name=42, WithDecryption='yes')
                             # ^^ error SW5006: Name must be a str (string 'PSParameterName'), not int: botocore rejects it with ParamValidationError
                                                # ^^^^^ error SW5006: WithDecryption must be a bool (boolean 'Boolean'), not str: botocore rejects it with ParamValidationError
        ssm.get_parameter(Name=None)
                             # ^^^^ error SW5006: Name must be a str (string 'PSParameterName'), not None: botocore rejects it with ParamValidationError
        ssm.get_parameters(Names='one')
                               # ^^^^^ error SW5006: Names must be a list (list 'ParameterNameList'), not str: botocore rejects it with ParamValidationError
        sqs = boto3.client('sqs')
        sqs.send_message(QueueUrl='u', MessageBody='b', DelaySeconds=1.5)
                                                                   # ^^^ error SW5006: DelaySeconds must be an int (integer 'NullableInteger'), not float: botocore rejects it with ParamValidationError
        sqs.send_message(QueueUrl='u', MessageBody='b', DelaySeconds=True)
        ssm.get_parameter(Name=f'/app/{env}', WithDecryption=flag)
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name=42, WithDecryption='yes')\nssm.get_parameter(Name=None)\nssm.get_parameters(Names='one')\nsqs = boto3.client('sqs')\nsqs.send_message(QueueUrl='u', MessageBody='b', DelaySeconds=1.5)\nsqs.send_message(QueueUrl='u', MessageBody='b', DelaySeconds=True)\nssm.get_parameter(Name=f'/app/{env}', WithDecryption=flag)\n"));
}

#[test]
fn length_and_range_sw5007_sw5008() {
    expect![[r#"
        import boto3
        ssm = boto3.client('ssm')
        ssm.get_parameter(Name='')
                             # ^^ error SW5007: Name must be at least 1 character long (got 0)
        ssm.describe_parameters(MaxResults=0)
                                         # ^ error SW5007: MaxResults must be at least 1 (got 0)
        ssm.describe_parameters(MaxResults=51)
                                         # ^^ warning SW5008: MaxResults must be at most 50 (got 51); the service will reject it
        ssm.describe_parameters(MaxResults=50)
        ssm.get_parameters(Names=[])
                               # ^^ error SW5007: Names must have at least 1 item
        ssm.get_parameter(Name='x' * 3000)
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='')\nssm.describe_parameters(MaxResults=0)\nssm.describe_parameters(MaxResults=51)\nssm.describe_parameters(MaxResults=50)\nssm.get_parameters(Names=[])\nssm.get_parameter(Name='x' * 3000)\n"));
}

#[test]
fn union_members_sw5009() {
    expect![[r#"
        import boto3
        br = boto3.client('bedrock-runtime')
        br.count_tokens(modelId='m', input={'invokeModel': {'body': b'{}'}, 'converse': {}})
                                         # ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ error SW5009: input is a union: set exactly one of 'converse', 'invokeModel' (more than one given)
        br.count_tokens(modelId='m', input={})
                                         # ^^ error SW5009: input is a union: set exactly one of 'converse', 'invokeModel' (none given)
        br.count_tokens(modelId='m', input={'invokeModel': {'body': b'{}'}})
    "#]].assert_eq(&annotate("import boto3\nbr = boto3.client('bedrock-runtime')\nbr.count_tokens(modelId='m', input={'invokeModel': {'body': b'{}'}, 'converse': {}})\nbr.count_tokens(modelId='m', input={})\nbr.count_tokens(modelId='m', input={'invokeModel': {'body': b'{}'}})\n"));
}

#[test]
fn enum_warning_sw5010() {
    expect![[r#"
        import boto3
        ssm = boto3.client('ssm')
        ssm.put_parameter(Name='n', Value='v', Type='SecureStrin')
                                                  # ^^^^^^^^^^^^^ warning SW5010: 'SecureStrin' is not a known value of Type (ParameterType); did you mean 'SecureString'? [fix: Change to 'SecureString']
        ssm.put_parameter(Name='n', Value='v', Type='String')
    "#]].assert_eq(&annotate("import boto3\nssm = boto3.client('ssm')\nssm.put_parameter(Name='n', Value='v', Type='SecureStrin')\nssm.put_parameter(Name='n', Value='v', Type='String')\n"));
}

#[test]
fn deprecated_sw5011() {
    expect![[r#"
        import boto3
        lam = boto3.client('lambda')
        lam.invoke_async(FunctionName='f', InvokeArgs=b'{}')
          # ^^^^^^^^^^^^ warning SW5011: lambda.invoke_async is deprecated
    "#]]
    .assert_eq(&annotate(
        "import boto3\nlam = boto3.client('lambda')\nlam.invoke_async(FunctionName='f', InvokeArgs=b'{}')\n",
    ));
    expect![[r#"
        import boto3
        sqs = boto3.client('sqs')
        sqs.receive_message(QueueUrl='u', AttributeNames=['All'])
                                        # ^^^^^^^^^^^^^^ warning SW5011: parameter 'AttributeNames' of sqs.receive_message is deprecated: AttributeNames has been replaced by MessageSystemAttributeNames
        sqs.receive_message(QueueUrl='u', MessageSystemAttributeNames=['All'])
    "#]].assert_eq(&annotate("import boto3\nsqs = boto3.client('sqs')\nsqs.receive_message(QueueUrl='u', AttributeNames=['All'])\nsqs.receive_message(QueueUrl='u', MessageSystemAttributeNames=['All'])\n"));
}

#[test]
fn unknown_paginator_and_waiter_sw5012() {
    expect![[r#"
        import boto3
        s3 = boto3.client('s3')
        s3.get_paginator('list_objects_v3')
                       # ^^^^^^^^^^^^^^^^^ error SW5012: s3 has no paginator 'list_objects_v3'; did you mean 'list_objects_v2'?
        s3.get_waiter('bucket_exist')
                    # ^^^^^^^^^^^^^^ error SW5012: s3 has no waiter 'bucket_exist'; did you mean 'bucket_exists'?
        s3.get_paginator('list_objects_v2')
        s3.can_paginate('whatever')
    "#]].assert_eq(&annotate("import boto3\ns3 = boto3.client('s3')\ns3.get_paginator('list_objects_v3')\ns3.get_waiter('bucket_exist')\ns3.get_paginator('list_objects_v2')\ns3.can_paginate('whatever')\n"));
}

#[test]
fn dynamic_code_is_left_alone() {
    let quiet = [
        "import boto3\nssm = boto3.client('ssm')\nparams = {'Name': 'x'}\nssm.get_parameter(**params)\n",
        "import boto3\nssm = boto3.client('ssm')\ngetattr(ssm, 'get_parameter')(Name='x')\n",
        "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name=name, WithDecryption=flag)\n",
        "import boto3\nc = boto3.client(service)\nc.whatever(1, 2)\n",
        "import boto3\nssm = boto3.client('ssm')\ndef f(ssm):\n    ssm.not_a_method(1)\n",
        "import boto3\nfrom botocore.config import Config\nssm = boto3.client('ssm', config=Config(parameter_validation=False))\nssm.get_parameter(Name=1)\n",
        "import boto3\nddb = boto3.resource('dynamodb')\nt = ddb.Table('x')\nt.put_item(Item={'id': 'plain python values'})\nt.query(KeyConditionExpression=Key('id').eq('x'))\n",
        "import boto3\ns3 = boto3.client('s3')\ns3.copy_object(Bucket='b', Key='k', CopySource={'Bucket': 'a', 'Key': 'k'})\n",
        "import boto3\nglacier = boto3.client('glacier')\nglacier.list_vaults()\n",
        "import boto3\nssm = boto3.client('ssm')\nssm.get_parameter(Name='x', **({'WithDecryption': True} if s else {}))\n",
    ];
    for text in quiet {
        let out = annotate(text);
        assert!(!out.contains("# "), "expected no diagnostics:\n{out}");
    }
}

#[test]
fn resource_actions_check_names_only() {
    expect![[r#"
        import boto3
        table = boto3.resource('dynamodb').Table('t')
        table.put_item(Itm={'id': 1})
            # ^^^^^^^^ error SW5005: dynamodb.put_item is missing required parameter 'Item'
                     # ^^^ error SW5004: dynamodb.put_item has no parameter 'Itm'; did you mean 'Item'? [fix: Change to 'Item']
        table.get_item(Key={'id': 1})
    "#]].assert_eq(&annotate("import boto3\ntable = boto3.resource('dynamodb').Table('t')\ntable.put_item(Itm={'id': 1})\ntable.get_item(Key={'id': 1})\n"));
}
