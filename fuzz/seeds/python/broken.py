import boto3
client = boto3.client("lambd")
client.invoke(FunctionName=
class X(:
    def m(self): return boto3.session.Session().client("s3").list_objects_v2(Bucket="b", 42)
lambda_ = boto3.client(service_name="lambda", **{"region_name": "eu-west-1"})
lambda_.invoke(FunctionName="f", Payload=b"{}", InvocationType="Nope", Qualifier="")
