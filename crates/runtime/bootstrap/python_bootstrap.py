"""samwise Lambda runtime client for Python functions.

Embedded in samwise and written to a cache directory at run time. It plays the part of Lambda's own
Python runtime interface client: it talks to samwise's Runtime API emulator (AWS_LAMBDA_RUNTIME_API),
imports the handler named by _HANDLER from LAMBDA_TASK_ROOT, builds the context object, calls the
handler and posts the result or the error in Lambda's format. It uses only the standard library, so it
runs in whatever interpreter (and virtualenv) the user chose, on any operating system.
"""

import os
import sys
import time


def _timing_mark(name):
    # SAMWISE_DAP_TIMING=1: start-up phases as wall-clock milliseconds on stderr (the debug adapter's
    # benchmark lines them up with its own clock); off, this costs one dictionary lookup.
    if os.environ.get("SAMWISE_DAP_TIMING"):
        sys.stderr.write("samwise-timing: %s %.1f\n" % (name, time.time() * 1000))


def _process_start_mark():
    # When the kernel started this process (Linux): the interpreter's own start-up is the gap to the
    # first mark. /proc gives it in clock ticks since boot.
    try:
        with open("/proc/self/stat", "rb") as f:
            ticks = int(f.read().rsplit(b")", 1)[1].split()[19])
        age = time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return
    sys.stderr.write("samwise-timing: process-start %.1f\n" % ((time.time() - age) * 1000))


if os.environ.get("SAMWISE_DAP_TIMING"):
    _process_start_mark()
    _timing_mark("bootstrap")

import importlib  # noqa: E402 (after the first timing mark, so that it counts these imports)
import json  # noqa: E402
import logging  # noqa: E402
import socket  # noqa: E402

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


class _ImportScan:
    """What importing the handler's module imports from libraries before any of the user's code runs.

    That is each module's leading import statements (after its docstring, among plain function
    definitions and literal assignments), following imports of the user's own modules depth first,
    in execution order. The scan stops at user code that might have effects (a call, a decorator, an
    `if` such as TYPE_CHECKING, anything touching sys.path): the imports after it might depend on it.
    The syntax tree comes from the built-in `_ast` (importing `ast` alone would cost more than the scan).
    """

    def __init__(self, roots):
        import _ast

        self.ast = _ast
        # The user's code: the code directory and the layers (they may hold breakpoints).
        self.roots = roots
        self.top_levels = set()
        for root in roots:
            try:
                entries = os.listdir(root)
            except OSError:
                continue
            for entry in entries:
                if entry.endswith(".py"):
                    self.top_levels.add(entry[:-3])
                elif os.path.isdir(os.path.join(root, entry)):
                    self.top_levels.add(entry)
        self.seen = set()
        # (module, fromlist) in import order.
        self.found = []

    def user_file(self, name):
        """The file of module `name` if it is the user's own code."""
        relative = name.replace(".", os.sep)
        for root in self.roots:
            for candidate in (os.path.join(root, relative + ".py"), os.path.join(root, relative, "__init__.py")):
                if os.path.isfile(candidate):
                    return candidate
        return None

    def is_user(self, name):
        return name.partition(".")[0] in self.top_levels

    def module(self, name):
        """Scans the user's module `name`; False if the scan must stop."""
        if name in self.seen:
            return True
        self.seen.add(name)
        path = self.user_file(name)
        if path is None:
            return True
        try:
            with open(path, "rb") as f:
                source = f.read()
            if b"sys.path" in source:
                return False
            tree = compile(source, path, "exec", self.ast.PyCF_ONLY_AST)
        except (OSError, SyntaxError, ValueError):
            return False
        package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
        return self.statements(tree.body, package)

    def statements(self, body, package):
        _ast = self.ast
        for node in body:
            if isinstance(node, (_ast.Import, _ast.ImportFrom)):
                if not self.import_(node, package):
                    return False
            elif isinstance(node, _ast.Try) and not node.orelse and not node.finalbody:
                # `try: import fast_json as json / except ImportError: json = None`: the body's imports
                # run; a handler may too, so it must be as quiet as a literal assignment.
                if not self.statements(node.body, package):
                    return False
                if not all(self.quiet(n) for handler in node.handlers for n in handler.body):
                    return False
            elif not self.quiet(node):
                return False
        return True

    def quiet(self, node):
        """A statement that runs no code of its own: a docstring, `pass`, a plain function definition, a
        literal assigned to names, an import of a library."""
        _ast = self.ast
        if isinstance(node, (_ast.Pass, _ast.Expr)):
            return isinstance(node, _ast.Pass) or isinstance(node.value, _ast.Constant)
        if isinstance(node, (_ast.FunctionDef, _ast.AsyncFunctionDef)):
            return not node.decorator_list and not node.args.defaults and not node.args.kw_defaults
        if isinstance(node, _ast.Assign):
            return all(isinstance(t, _ast.Name) for t in node.targets) and self.literal(node.value)
        if isinstance(node, _ast.Import):
            return not any(self.is_user(alias.name) for alias in node.names)
        if isinstance(node, _ast.ImportFrom):
            return node.level == 0 and not self.is_user(node.module)
        return False

    def literal(self, node):
        _ast = self.ast
        if isinstance(node, _ast.Constant):
            return True
        if isinstance(node, (_ast.List, _ast.Tuple, _ast.Set)):
            return all(self.literal(item) for item in node.elts)
        if isinstance(node, _ast.Dict):
            return all(k is not None and self.literal(k) and self.literal(v) for k, v in zip(node.keys, node.values))
        return False

    def import_(self, node, package):
        if isinstance(node, self.ast.Import):
            requests = [(alias.name, ()) for alias in node.names]
        elif node.level:
            # Relative: the user's own package.
            parts = package.split(".") if package else []
            parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            base = ".".join(parts + ([node.module] if node.module else []))
            requests = [(base, tuple(alias.name for alias in node.names))] if base else []
        else:
            requests = [(node.module, tuple(alias.name for alias in node.names))]
        for name, fromlist in requests:
            if not self.is_user(name):
                self.found.append((name, fromlist))
                continue
            # Importing a.b.c runs a, a.b, then a.b.c; `from pkg import mod` may import pkg.mod too.
            parts = name.split(".")
            modules = [".".join(parts[: i + 1]) for i in range(len(parts))]
            modules += ["%s.%s" % (name, item) for item in fromlist if item != "*"]
            for module in modules:
                if not self.module(module):
                    return False
        return True


def _preimport(roots):
    """Imports the libraries that importing the handler's module would import before running any of
    the user's code (see _ImportScan), so that the debugger's tracer, which makes Python code several
    times slower, does not run through them. Returns how many were imported. A failure is left for
    the handler's own import to report."""
    module_name = os.environ["_HANDLER"].rpartition(".")[0].replace("/", ".")
    scan = _ImportScan(roots)
    scan.module(module_name)
    count = 0
    for name, fromlist in scan.found:
        module = sys.modules.get(name)
        if module is not None and all(hasattr(module, item) for item in fromlist if item != "*"):
            continue
        try:
            __import__(name, fromlist=fromlist)
            count += 1
        except Exception:
            pass
    return count


def _start_debugging(address, preimport_roots):
    """Connects this process to debugpy's adapter (at `address`, the debug adapter's relay) and
    returns once the editor has configured the debugger.

    In-process rather than `python -m debugpy`, so that the handler's libraries are imported before
    the tracer starts, while debugpy's adapter starts in its own process. `preimport_roots` (the
    user's code directories) is None when library code is to be debugged too (justMyCode off)."""
    if preimport_roots is not None:
        # On this (the main) thread, as the handler's own import would: a library may set up signals
        # or thread-local state when it is imported.
        count = _preimport(preimport_roots)
        _timing_mark("preimported(%d)" % count)
    import debugpy  # a missing debugpy ends the process here; the debug adapter names the fix

    debugpy.configure(subProcess=False)
    host, _, port = address.rpartition(":")
    # Imports pydevd, connects, and returns once the editor's configurationDone has reached debugpy.
    debugpy.connect((host, int(port)))
    _timing_mark("configured")


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
    # Set by the debug adapter; not for the function's own child processes.
    debugpy_address = os.environ.pop("_SAMWISE_DEBUGPY", None)
    if debugpy_address:
        just_my_code = os.environ.pop("_SAMWISE_JUST_MY_CODE", "1") == "1"
        _start_debugging(debugpy_address, extra if just_my_code else None)
    handler = _load_handler()
    _timing_mark("handler-imported")
    while True:
        status, headers, body = _request("GET", "/invocation/next")
        request_id = headers["lambda-runtime-aws-request-id"]
        _REQUEST_ID.request_id = request_id
        _timing_mark("invoke")
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
