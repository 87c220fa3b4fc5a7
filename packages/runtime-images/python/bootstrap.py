"""Stratus Python runtime client (python3.11), standard library only.

Imports the handler named by _HANDLER (`module.function`, the module path may hold
`/` or `.` separated packages) from LAMBDA_TASK_ROOT and loops on the Lambda Runtime
API (/2018-06-01/runtime/...): GET invocation/next, call the handler with the event
and a context object, POST .../response or .../error. Errors carry Lambda's shape
(errorType = the exception's class name, errorMessage, stackTrace lines); a handler
that cannot be loaded is reported to /runtime/init/error as Runtime.ImportModuleError,
Runtime.UserCodeSyntaxError, Runtime.HandlerNotFound or Runtime.MalformedHandlerName
(or the exception the module raised), and the process exits. print() goes to stdout
as is; the root logger gets Lambda's `[LEVEL]\\ttimestamp\\trequest id\\tmessage` lines.

Started with --stem it is a Stratus stem cell: before importing anything of a
function it long-polls the invoker's Stratus-only specialise endpoint, which answers
once with {handler, env}; it adopts that environment and goes on as the runtime of
that one function. It never asks again.
"""

import decimal
import importlib
import io
import json
import logging
import os
import sys
import time
import traceback

import stratus_runtime_http

PREFIX = "/2018-06-01/runtime"
SPECIALISE = "/2018-06-01/stratus/specialise"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"

# Printed after each invocation's output, before its result is posted, so the invoker
# knows exactly which lines belong to the invocation; only on the streams written
# since the last marker (a quiet invocation costs the engine nothing). The result
# names the marked streams (Stratus-Log-Markers), so the invoker knows which markers
# to wait for. A marker carries the nonce that came with the event (Stratus-Log-Nonce),
# which is kept out of the handler's event, context and environment, so no line the
# function prints passes for one; an invoker that sends none gets the marker without
# it. Writes are noticed under sys.stdout and sys.stderr, where print(), the logging
# module and writes to .buffer or .buffer.raw all pass, and through os.write to fds 1
# and 2; a child process's output is not, and lands in whichever invocation's log
# takes it first.
LOG_MARKER = "\x1eSTRATUS-END "
MARKERS_HEADER = "Stratus-Log-Markers"
NONCE_HEADER = "Stratus-Log-Nonce"
written = {1: False, 2: False}
# The runtime's own stdout and stderr (watch_output makes them sys.stdout and sys.stderr).
streams = {}


class WatchedFile(io.FileIO):
    """fd 1 or 2 under sys.stdout or sys.stderr: notes that something was written."""

    def write(self, b):
        written[self.fileno()] = True
        return super().write(b)


def watch_output():
    """Rebuilds sys.stdout and sys.stderr as Python made them, over watched fds; watches os.write too."""
    for name, original in (("stdout", sys.stdout), ("stderr", sys.stderr)):
        original.flush()
        raw = WatchedFile(original.fileno(), "w", closefd=False)
        # PYTHONUNBUFFERED gives a text layer straight over the fd, else a buffer between.
        binary = raw if isinstance(original.buffer, io.RawIOBase) else io.BufferedWriter(raw)
        stream = io.TextIOWrapper(
            binary,
            encoding=original.encoding,
            errors=original.errors,
            newline="\n",
            line_buffering=original.line_buffering,
            write_through=original.write_through,
        )
        streams[name] = stream
        # sys.__stdout__ too: code that "restores" sys.stdout from it stays watched.
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)
    for name in ("write", "writev"):
        original = getattr(os, name)

        def watched(fd, data, _original=original):
            if fd == 1 or fd == 2:
                written[fd] = True
            return _original(fd, data)

        setattr(os, name, watched)


def end_of_output(request_id, nonce):
    """Marks the end of an invocation's output on the streams it wrote; returns the header naming them."""
    marker = f"{LOG_MARKER}{request_id} {nonce}\n" if nonce else f"{LOG_MARKER}{request_id}\n"
    for stream in (sys.stdout, sys.stderr, streams["stdout"], streams["stderr"]):
        try:
            stream.flush()  # buffered writes reach their fd (and are noticed) before the marker
        except Exception:
            pass  # a stand-in the function put there, or a stream it closed
    marked = []
    for fd, name in ((1, "stdout"), (2, "stderr")):
        if not written[fd]:
            continue
        try:
            streams[name].write(marker)
            streams[name].flush()
            marked.append(name)
        except (OSError, ValueError):
            pass  # the function closed it: no marker can come on it
        written[fd] = False
    return {MARKERS_HEADER: ",".join(marked) or "none"}


class RuntimeClient:
    """One keep-alive connection to the Runtime API; /next is a long poll, so no timeout."""

    def __init__(self, address):
        host, _, port = address.rpartition(":")
        self._conn = stratus_runtime_http.Connection(host, int(port))

    def _call(self, method, path, body=None, headers=None, prefix=PREFIX):
        try:
            return self._conn.request(method, prefix + path, body, headers)
        except (stratus_runtime_http.Disconnected, BrokenPipeError, ConnectionResetError):
            # The server closed the idle keep-alive connection: once more, on a new one.
            return self._conn.request(method, prefix + path, body, headers)

    def specialise(self):
        """Stem mode: waits for this container's one identity and adopts its environment."""
        while True:
            status, _, body = self._call("GET", SPECIALISE, prefix="")
            if status == 204:
                continue  # the long poll ran out: ask again
            if status != 200:
                raise RuntimeError(f"specialise answered {status}")
            identity = json.loads(body)
            os.environ.update(identity["env"])
            os.environ["_HANDLER"] = identity["handler"]
            time.tzset()
            return

    def next(self):
        """The next event: its headers (without the log nonce), its body, and the log nonce."""
        status, headers, body = self._call("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError(f"runtime api /next answered {status}")
        return headers, body, headers.pop(NONCE_HEADER)

    def respond(self, request_id, body, nonce):
        headers = {"Content-Type": "application/json", **end_of_output(request_id, nonce)}
        self._call("POST", f"/invocation/{request_id}/response", body, headers)

    def fail(self, path, payload, nonce=None):
        body = json.dumps(payload).encode("utf-8")
        headers = {"Content-Type": "application/json", ERROR_TYPE_HEADER: payload["errorType"]}
        if path.startswith("/invocation/"):
            headers.update(end_of_output(path.split("/")[2], nonce))
        self._call("POST", path, body, headers)


class InitError(Exception):
    """A handler that cannot be loaded, with Lambda's Runtime.* error type."""

    def __init__(self, error_type, message, stack=None):
        super().__init__(message)
        self.error_type = error_type
        self.stack = stack or []


IMPORTLIB = os.path.dirname(importlib.__file__)


def user_frames(exc):
    """The traceback of `exc` without the runtime's own frames (ours, importlib's), as Lambda shows it."""

    def runtime_frame(f):
        return f.filename == __file__ or f.filename.startswith(("<frozen ", IMPORTLIB))

    frames = traceback.extract_tb(exc.__traceback__)
    return traceback.format_list([f for f in frames if not runtime_frame(f)])


def error_payload(exc):
    if isinstance(exc, InitError):
        return {"errorMessage": str(exc), "errorType": exc.error_type, "stackTrace": exc.stack}
    return {"errorMessage": str(exc), "errorType": type(exc).__name__, "stackTrace": user_frames(exc)}


def log_error(payload):
    lines = [f"[ERROR] {payload['errorType']}: {payload['errorMessage']}"]
    if payload["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        lines.extend(line.rstrip("\n") for line in payload["stackTrace"])
    # One record per error: inner newlines become carriage returns, as in Lambda. On
    # the runtime's own stdout, whatever the function made of sys.stdout, so that it
    # lands in the log of the invocation (or init) that failed.
    out = streams.get("stdout", sys.stdout)
    out.write("\r".join(lines).replace("\n", "\r") + "\n")
    out.flush()


def load_handler(spec):
    module_path, dot, name = spec.rpartition(".")
    if not dot or not module_path or not name:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{spec}': expected module.function")
    try:
        module = importlib.import_module(module_path.replace("/", "."))
    except ImportError as e:
        raise InitError("Runtime.ImportModuleError", f"Unable to import module '{module_path}': {e}") from None
    except SyntaxError as e:
        where = f'  File "{e.filename}" Line {e.lineno}\n        {(e.text or "").strip()}\n'
        raise InitError("Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_path}': {e}", [where]) from None
    handler = getattr(module, name, None)
    if handler is None:
        raise InitError("Runtime.HandlerNotFound", f"Handler '{name}' missing on module '{module_path}'")
    return handler


def header_json(headers, name):
    value = headers.get(name)
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


class Client:
    """context.client_context.client: the calling mobile app."""

    def __init__(self, fields):
        self.installation_id = fields.get("installation_id")
        self.app_title = fields.get("app_title")
        self.app_version_name = fields.get("app_version_name")
        self.app_version_code = fields.get("app_version_code")
        self.app_package_name = fields.get("app_package_name")


class ClientContext:
    """context.client_context: the Invoke call's ClientContext, decoded."""

    def __init__(self, fields):
        self.client = Client(fields["client"]) if isinstance(fields.get("client"), dict) else None
        self.custom = fields.get("custom")
        self.env = fields.get("env")


class CognitoIdentity:
    """context.identity: the Amazon Cognito identity, when the caller has one."""

    def __init__(self, fields):
        self.cognito_identity_id = fields.get("cognitoIdentityId")
        self.cognito_identity_pool_id = fields.get("cognitoIdentityPoolId")


class LambdaContext:
    """The handler's second argument, with the attributes Lambda's context has."""

    def __init__(self, headers):
        env = os.environ
        self.aws_request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        self.invoked_function_arn = headers.get("Lambda-Runtime-Invoked-Function-Arn")
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
        client_context = header_json(headers, "Lambda-Runtime-Client-Context")
        self.client_context = ClientContext(client_context) if isinstance(client_context, dict) else None
        identity = header_json(headers, "Lambda-Runtime-Cognito-Identity")
        self.identity = CognitoIdentity(identity if isinstance(identity, dict) else {})
        self._deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


current_request_id = None


class LambdaLogHandler(logging.Handler):
    """Lambda's root-logger format: [LEVEL]\\t<UTC timestamp>\\t<request id>\\t<message>."""

    def __init__(self):
        super().__init__()
        fmt = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"
        self.formatter = logging.Formatter(fmt, "%Y-%m-%dT%H:%M:%S")
        self.formatter.converter = time.gmtime

    def emit(self, record):
        record.aws_request_id = current_request_id
        try:
            if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
                sys.stdout.write(json_record(record) + "\n")
            else:
                sys.stdout.write(self.format(record).replace("\n", "\r") + "\n")
        except Exception:
            self.handleError(record)


def json_record(record):
    """Lambda's JSON log record of a logging call (LoggingConfig LogFormat JSON)."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + ".%03dZ" % record.msecs
    out = {
        "timestamp": stamp,
        "level": record.levelname,
        "message": record.getMessage(),
        "logger": record.name,
        "requestId": current_request_id,
    }
    if record.exc_info and record.exc_info[0] is not None:
        out["errorType"] = record.exc_info[0].__name__
        out["errorMessage"] = str(record.exc_info[1])
        out["stackTrace"] = traceback.format_tb(record.exc_info[2])
    return json.dumps(out, default=str)


# AWS_LAMBDA_LOG_LEVEL (LoggingConfig ApplicationLogLevel, with JSON) as the root logger's level.
LOG_LEVELS = {"TRACE": logging.DEBUG, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
              "ERROR": logging.ERROR, "FATAL": logging.CRITICAL}


def to_json(value):
    def extra(o):
        if isinstance(o, decimal.Decimal):
            return int(o) if o == o.to_integral_value() else float(o)
        raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")

    return json.dumps(value, default=extra).encode("utf-8")


# ---- Layers ------------------------------------------------------------------
# A function's layers are merged read-only at /opt; as in Lambda, their Python code is
# found after the function's own: /opt/python/lib/python3.x/site-packages, then
# /opt/python. Added once the function is known (a stem cell's /opt is filled as it
# is specialised), with the import system's caches of missing directories dropped.
def use_layer_paths():
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for offset, directory in enumerate([f"/opt/python/lib/{version}/site-packages", "/opt/python"], start=1):
        if directory not in sys.path:
            sys.path.insert(offset, directory)
    importlib.invalidate_caches()
# ---- end of layers -------------------------------------------------------------


def main():
    global current_request_id
    watch_output()
    client = RuntimeClient(os.environ["AWS_LAMBDA_RUNTIME_API"])
    if "--stem" in sys.argv[1:]:
        client.specialise()
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "/var/task"))
    use_layer_paths()
    logging.getLogger().addHandler(LambdaLogHandler())
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON":
        logging.getLogger().setLevel(LOG_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO"), logging.INFO))
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Exception as e:
        payload = error_payload(e)
        log_error(payload)
        client.fail("/init/error", payload)
        sys.exit(1)
    while True:
        headers, body, nonce = client.next()
        request_id = headers.get("Lambda-Runtime-Aws-Request-Id")
        current_request_id = request_id
        trace_id = headers.get("Lambda-Runtime-Trace-Id")
        if trace_id:
            os.environ["_X_AMZN_TRACE_ID"] = trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(body) if body else {}
            result = handler(event, LambdaContext(headers))
        except Exception as e:
            payload = error_payload(e)
            payload["requestId"] = request_id
            log_error(payload)
            client.fail(f"/invocation/{request_id}/error", payload, nonce)
            continue
        try:
            response = to_json(result)
        except (TypeError, ValueError) as e:
            payload = {
                "errorMessage": f"Unable to marshal response: {e}",
                "errorType": "Runtime.MarshalError",
                "requestId": request_id,
                "stackTrace": [],
            }
            log_error(payload)
            client.fail(f"/invocation/{request_id}/error", payload, nonce)
            continue
        client.respond(request_id, response, nonce)


if __name__ == "__main__":
    try:
        main()
    except (OSError, RuntimeError) as e:
        # The Runtime API went away (the platform is stopping this environment).
        print(f"runtime client failed: {e!r}", file=sys.stderr)
        sys.exit(1)
