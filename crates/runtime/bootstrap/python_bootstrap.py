"""samwise Lambda runtime client for Python functions.

Embedded in samwise and written to a cache directory at run time. It plays the part of Lambda's own
Python runtime interface client: it talks to samwise's Runtime API emulator (AWS_LAMBDA_RUNTIME_API),
imports the handler named by _HANDLER from LAMBDA_TASK_ROOT, builds the context object, calls the
handler and posts the result or the error in Lambda's format. It uses only the standard library, so it
runs in whatever interpreter (and virtualenv) the user chose, on any operating system.
"""

import importlib
import json
import logging
import os
import socket
import sys
import time

API = os.environ["AWS_LAMBDA_RUNTIME_API"]
PREFIX = "/2018-06-01/runtime"


class _RequestIdFilter(logging.Filter):
    request_id = None

    def filter(self, record):
        record.aws_request_id = self.request_id
        return True


_REQUEST_ID = _RequestIdFilter()


def _install_log_handler():
    # Lambda's Python runtime gives the root logger a handler, so `logger.info(...)` in a handler shows up
    # in the logs without any logging setup; code written for Lambda relies on that.
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s", "%Y-%m-%dT%H:%M:%S")
    )
    handler.formatter.converter = time.gmtime
    handler.addFilter(_REQUEST_ID)
    root.addHandler(handler)


def _request(method, path, body=b"", headers=None):
    # A minimal HTTP/1.1 exchange with the emulator (one request per connection, Content-Length bodies,
    # which is all it sends). http.client would cost more import time than the whole rest of this client,
    # and start-up time is what a local invoke is measured by.
    host, port = API.rsplit(":", 1)
    lines = ["%s %s%s HTTP/1.1" % (method, PREFIX, path), "Host: " + API, "Connection: close"]
    lines.append("Content-Length: %d" % len(body))
    lines.extend("%s: %s" % item for item in (headers or {}).items())
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(request)
        reader = sock.makefile("rb")
        status = int(reader.readline().split()[1])
        response_headers = {}
        for line in iter(reader.readline, b""):
            if line in (b"\r\n", b"\n"):
                break
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        payload = reader.read(int(response_headers.get("content-length", "0")))
    return status, response_headers, payload


def _error_payload(exc, request_id=None, error_type=None):
    import traceback  # only errors need it; keep it out of start-up

    frames = traceback.extract_tb(exc.__traceback__)
    payload = {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "stackTrace": traceback.format_list(frames),
    }
    if request_id is not None:
        payload["requestId"] = request_id
    return payload


def _log_error(payload, exc):
    # Lambda's Python runtime logs the error and its traceback too; the response payload alone is easy to miss.
    lines = ["[ERROR] %s: %s" % (payload["errorType"], payload["errorMessage"])]
    if exc is not None and exc.__traceback__ is not None:
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in payload["stackTrace"])
    sys.stderr.write("\n".join(lines) + "\n")
    sys.stderr.flush()


def _post_init_error(payload, exc=None):
    _log_error(payload, exc)
    body = json.dumps(payload).encode()
    _request(
        "POST",
        "/init/error",
        body,
        {"Lambda-Runtime-Function-Error-Type": payload["errorType"], "Content-Type": "application/json"},
    )
    # The emulator ends the process after an init error; wait for that instead of racing it.
    _request("GET", "/invocation/next")
    sys.exit(1)


def _load_handler():
    spec = os.environ["_HANDLER"]
    try:
        module_path, function_name = spec.rsplit(".", 1)
    except ValueError as exc:
        _post_init_error(
            {"errorMessage": "Bad handler '%s': %s" % (spec, exc), "errorType": "Runtime.MalformedHandlerName"}
        )
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        _post_init_error(
            {
                "errorMessage": "Unable to import module '%s': %s" % (module_name, exc),
                "errorType": "Runtime.ImportModuleError",
                "stackTrace": [],
            }
        )
    except Exception as exc:
        _post_init_error(_error_payload(exc, error_type="Runtime.UserCodeSyntaxError"
                                        if isinstance(exc, SyntaxError) else None), exc)
    handler = getattr(module, function_name, None)
    if handler is None:
        _post_init_error(
            {
                "errorMessage": "Handler '%s' missing on module '%s'" % (function_name, module_name),
                "errorType": "Runtime.HandlerNotFound",
                "stackTrace": [],
            }
        )
    return handler


class CognitoIdentity:
    def __init__(self, data):
        self.cognito_identity_id = data.get("cognitoIdentityId")
        self.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")


class Client:
    def __init__(self, data):
        self.installation_id = data.get("installation_id")
        self.app_title = data.get("app_title")
        self.app_version_name = data.get("app_version_name")
        self.app_version_code = data.get("app_version_code")
        self.app_package_name = data.get("app_package_name")


class ClientContext:
    def __init__(self, data):
        self.client = Client(data["client"]) if data.get("client") else None
        self.custom = data.get("custom")
        self.env = data.get("env")


class LambdaContext:
    """The context object, with the attributes and method of Lambda's Python runtime."""

    def __init__(self, request_id, deadline_ms, arn, client_context, identity):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity(json.loads(identity)) if identity else None
        self.client_context = ClientContext(json.loads(client_context)) if client_context else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)

    def log(self, message):
        sys.stdout.write(str(message))
        sys.stdout.flush()

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id=%s,log_group_name=%s,log_stream_name=%s,function_name=%s,"
            "memory_limit_in_mb=%s,function_version=%s,invoked_function_arn=%s])"
            % (
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
            )
        )


def _invoke(handler, request_id, headers, body):
    header = headers.get
    context = LambdaContext(
        request_id,
        int(header("lambda-runtime-deadline-ms") or 0),
        header("lambda-runtime-invoked-function-arn"),
        header("lambda-runtime-client-context"),
        header("lambda-runtime-cognito-identity"),
    )
    try:
        event = json.loads(body) if body else {}
    except ValueError as exc:
        return False, {
            "errorMessage": "Unable to unmarshal input: %s" % exc,
            "errorType": "Runtime.UnmarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }, None
    try:
        result = handler(event, context)
    except Exception as exc:
        return False, _error_payload(exc, request_id), exc
    try:
        return True, json.dumps(result).encode(), None
    except (TypeError, ValueError) as exc:
        return False, {
            "errorMessage": "Unable to marshal response: %s" % exc,
            "errorType": "Runtime.MarshalError",
            "requestId": request_id,
            "stackTrace": [],
        }, None


def main():
    for stream in (sys.stdout, sys.stderr):
        # Output reaches the editor line by line while the function runs, not when a pipe buffer fills.
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)

    # Lambda's import path: the code directory first, then the layers (a later layer wins, as when
    # Lambda extracts them into /opt in order), then the interpreter's own paths (the user's virtualenv).
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    version = "python%d.%d" % sys.version_info[:2]
    extra = [task_root]
    layers = [p for p in os.environ.get("_SAMWISE_LAYERS", "").split(os.pathsep) if p]
    for layer in reversed(layers):
        extra.append(os.path.join(layer, "python", "lib", version, "site-packages"))
        extra.append(os.path.join(layer, "python"))
    sys.path[:0] = extra

    _install_log_handler()
    handler = _load_handler()
    while True:
        status, headers, body = _request("GET", "/invocation/next")
        request_id = headers["lambda-runtime-aws-request-id"]
        _REQUEST_ID.request_id = request_id
        ok, payload, exc = _invoke(handler, request_id, headers, body)
        sys.stdout.flush()
        sys.stderr.flush()
        if ok:
            _request("POST", "/invocation/%s/response" % request_id, payload,
                     {"Content-Type": "application/json"})
        else:
            _log_error(payload, exc)
            _request(
                "POST",
                "/invocation/%s/error" % request_id,
                json.dumps(payload).encode(),
                {"Lambda-Runtime-Function-Error-Type": payload["errorType"], "Content-Type": "application/json"},
            )


if __name__ == "__main__":
    main()
