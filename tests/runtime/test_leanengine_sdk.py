"""The official LeanCloud client SDKs against a generated server (DESIGN.md §4).

DESIGN §4: "The official `leancloud` Python SDK, pointed at the server with
`LEANCLOUD_API_SERVER`, must work against it as a client (`leancloud.cloud.run`,
`leancloud.cloud.rpc`)." Spec leanengine.md, "Using the official SDK as a client", gives
what it sends: `X-LC-Id`, `X-LC-Sign: md5(ms + key),ms[,master]`, `X-LC-Prod: 1`,
`X-LC-Hook-Key` when a hook key was given, never `X-LC-Key`.

- The Python SDK (`pip install leancloud`, 3.0.2) pins old versions of requests, werkzeug
  and others, so it lives in its own virtualenv, `.venv/leancloud-sdk`, built once by a
  fixture (about 15 s) and reused; each client is a script run by that venv's python.
- The JavaScript SDK (`leancloud-storage@4` from npm) lives in `.venv/js-sdk`, installed
  once by a fixture when node and npm are present; without them the tests are skipped.

Both venvs are inside `.venv`, which git ignores. Every server started here is stopped
by its fixture; every client runs under a timeout (subprocess.run kills it).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest

from servers import ServerProcess, compile_site

REPO = Path(__file__).resolve().parents[2]
SDK_VENV = REPO / ".venv" / "leancloud-sdk"
JS_SDK = REPO / ".venv" / "js-sdk"
READY = ".cherryc-ready"  # written once an install finished, so a half-built one is redone

APP_ID = "sdk-test-app"
APP_KEY = "sdk-app-key-3xjj1qw91cr3"
MASTER_KEY = "sdk-master-key-3v7z633lzf"
HOOK_KEY = "sdk-hook-key-9k2m"
KEYS = [APP_ID, APP_KEY, MASTER_KEY, HOOK_KEY]
LEAN_SECTION = (f"[leanengine]\nappId = {APP_ID}\nappKey = {APP_KEY}\n"
                f"masterKey = {MASTER_KEY}\nhookKey = {HOOK_KEY}\n")
# Empty LEANCLOUD_APP_* variables fall back to the [leanengine] section: keys that
# happen to be set in the environment of the test run cannot change the server's.
SERVER_ENV = {name: "" for name in ("LEANCLOUD_APP_ID", "LEANCLOUD_APP_KEY",
                                    "LEANCLOUD_APP_MASTER_KEY", "LEANCLOUD_APP_HOOK_KEY")}

SITE = """\
import datetime
from cherryc.runtime.leanengine import Object


@engine.define
def hello(name='world'):
    return 'Hello, %s!' % name


@engine.define
def fail2020():
    raise LeanEngineError(2020, 'the cloud says no')


@engine.define
def forbidden():
    raise LeanEngineError(code=5, message='not for you', status=403)


@engine.define
def crash():
    return {}['missing']


@engine.define
def shiftDate(when):
    return when + datetime.timedelta(days=1)


@engine.define
def describe(when, todo):
    return {'when': type(when).__name__, 'utc': when.utcoffset() == datetime.timedelta(0),
            'todo': [type(todo).__name__, todo.class_name, todo.id]}


@engine.define
def tagTodo(todo, when):
    todo.set('checked', True)
    todo.set('checkedAt', when)
    return todo


@engine.define
def todoList(todo):
    todo.set('title', 'first')
    return [todo, Object('Todo', title='second')]


@engine.define
def _messageReceived(**params):
    return {'content': params['content'].upper(), 'seen': sorted(params)}

CherryClass Root:
mask:
    def index(self):
        sdk test site
"""


# ---- the Python SDK's virtualenv -----------------------------------------------------------

@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """One builder at a time (parallel test runs share the folder)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run_step(command: list[str], cwd: Path | None = None, timeout: float = 600) -> str:
    """Run an install step; '' on success, else why it failed."""
    try:
        result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{' '.join(command)}: {exc}"
    if result.returncode:
        return f"{' '.join(command)} exited with {result.returncode}:\n{result.stderr[-2000:]}"
    return ""


@pytest.fixture(scope="session")
def sdk_python() -> str:
    """The python of `.venv/leancloud-sdk`, built with `pip install leancloud` if needed."""
    python = SDK_VENV / "bin" / "python"
    with _locked(SDK_VENV):
        if not (SDK_VENV / READY).exists():
            shutil.rmtree(SDK_VENV, ignore_errors=True)
            failure = (_run_step([sys.executable, "-m", "venv", str(SDK_VENV)])
                       or _run_step([str(python), "-m", "pip", "install", "-q",
                                     "--disable-pip-version-check", "leancloud"]))
            if failure:
                shutil.rmtree(SDK_VENV, ignore_errors=True)
                pytest.skip(f"cannot build the leancloud SDK venv: {failure}")
            (SDK_VENV / READY).write_text("pip install leancloud\n")
    return str(python)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("sdk-site")
    compile_site(folder, SITE)
    process = ServerProcess(folder, extra=LEAN_SECTION, env=SERVER_ENV)
    process.start()
    try:
        yield process
    finally:
        process.stop()


def client_env(server: ServerProcess) -> dict[str, str]:
    """The environment of a client: the server's URL, no LeanCloud keys, no proxy."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("LEANCLOUD_") and name != "LC_API_SERVER"}
    env.update(LEANCLOUD_API_SERVER=server.url, NO_PROXY="127.0.0.1,localhost",
               no_proxy="127.0.0.1,localhost")
    return env


PRELUDE = """\
import datetime
import json
import sys

import leancloud

APP_ID, APP_KEY, MASTER_KEY, HOOK_KEY = sys.argv[1:5]


def failure(call, *args, **kwargs):
    '''[code, error] of the LeanCloudError a call raises (None when it succeeds).'''
    try:
        call(*args, **kwargs)
    except leancloud.LeanCloudError as exc:
        return [exc.code, exc.error]
    return None


def out(value):
    print(json.dumps(value, default=repr))

"""


def run_python_client(python: str, server: ServerProcess, body: str) -> Any:
    """Run PRELUDE + body with the SDK's python; return what it printed with `out`."""
    script = PRELUDE + textwrap.dedent(body)
    try:
        result = subprocess.run([python, "-c", script, *KEYS], env=client_env(server),
                                capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the client hung:\n{exc.stderr}\nserver log:\n{server.log()}") from None
    assert result.returncode == 0, (f"the client failed:\n{result.stderr}\n"
                                    f"server log:\n{server.log()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# ---- leancloud.cloud.run ---------------------------------------------------------------------

def test_run_with_app_key(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        out([leancloud.cloud.run('hello', name='x'), leancloud.cloud.run('hello'),
             leancloud.cloud.run.remote('hello', name='Ünïcode ✓')])
        """)
    assert got == ["Hello, x!", "Hello, world!", "Hello, Ünïcode ✓!"]
    # the SDK signs (X-LC-Sign) and never sends X-LC-Key: the server accepted the signature
    assert '"POST /1.1/functions/hello HTTP/1.1" 200' in server.log()


def test_wrong_keys_are_refused(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, 'not-the-app-key')
        wrong_key = failure(leancloud.cloud.run, 'hello')
        leancloud.init('another-app', APP_KEY)
        wrong_app = failure(leancloud.cloud.run, 'hello')
        leancloud.init(APP_ID, master_key='not-the-master-key')
        wrong_master = failure(leancloud.cloud.run, 'hello')
        out([wrong_key, wrong_app, wrong_master])
        """)
    assert got == [[401, "Unauthorized."]] * 3


# ---- leancloud.cloud.rpc: typed params and results (spec §4.2, §6) ----------------------------

def test_rpc_with_a_datetime(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        when = datetime.datetime(2024, 2, 28, 23, 30, 15, 123000, tzinfo=datetime.timezone.utc)
        later = leancloud.cloud.rpc('shiftDate', when=when)
        out([isinstance(later, datetime.datetime), later.tzinfo is not None,
             later == when + datetime.timedelta(days=1),
             later.astimezone(datetime.timezone.utc).isoformat()])
        """)
    assert got == [True, True, True, "2024-02-29T23:30:15.123000+00:00"]


def test_rpc_params_are_decoded(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        Todo = leancloud.Object.extend('Todo')
        when = datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
        out(leancloud.cloud.rpc('describe', when=when, todo=Todo.create_without_data('5f1a2b')))
        """)
    # a Date arrives as an aware UTC datetime, a leancloud.Object (sent as a Pointer) as an Object
    assert got == {"when": "datetime", "utc": True, "todo": ["Object", "Todo", "5f1a2b"]}


def test_rpc_object_round_trip(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        Todo = leancloud.Object.extend('Todo')
        when = datetime.datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=datetime.timezone.utc)
        todo = leancloud.cloud.rpc('tagTodo', todo=Todo.create_without_data('5f1a2b'), when=when)
        out([isinstance(todo, leancloud.Object), todo._class_name, todo.id,
             todo.get('checked'), todo.get('checkedAt') == when])
        """)
    assert got == [True, "Todo", "5f1a2b", True, True]


def test_rpc_list_of_objects_comes_back_in_full(sdk_python: str, server: ServerProcess) -> None:
    """Returning query results (a list of objects) is the common use of rpc.

    Spec §4.2/§6: the reference (PY) engine encodes the whole /call result with
    `encode(result, dump_objects=True)`, so objects inside a list or dict come back with
    their fields; NODE also dumps the elements of a returned array in full.
    """
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        Todo = leancloud.Object.extend('Todo')
        todos = leancloud.cloud.rpc('todoList', todo=Todo.create_without_data('5f1a2b'))
        out([[t._class_name, t.id, t.get('title')] for t in todos])
        """)
    assert got == [["Todo", "5f1a2b", "first"], ["Todo", None, "second"]]


# ---- the master key --------------------------------------------------------------------------

def test_master_key(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, master_key=MASTER_KEY)
        hello = leancloud.cloud.run('hello', name='master')
        names = leancloud.cloud.run('_ops/metadatas')
        leancloud.init(APP_ID, APP_KEY)
        out([hello, names, failure(leancloud.cloud.run, '_ops/metadatas')])
        """)
    hello, names, refused = got
    assert hello == "Hello, master!"
    assert names == ["hello", "fail2020", "forbidden", "crash", "shiftDate", "describe",
                     "tagTodo", "todoList", "_messageReceived"]
    assert refused == [401, "Unauthorized."]  # an app key is not enough (spec §3.5)


# ---- errors (spec §5.2, §10.3) ---------------------------------------------------------------

def test_errors_surface_as_leancloud_errors(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        out([failure(leancloud.cloud.run, 'fail2020'),
             failure(leancloud.cloud.rpc, 'fail2020'),
             failure(leancloud.cloud.run, 'forbidden'),
             failure(leancloud.cloud.run, 'noSuchFunction'),
             failure(leancloud.cloud.rpc, 'noSuchFunction'),
             failure(leancloud.cloud.run, 'crash'),
             failure(leancloud.cloud.run, 'hello', unexpected=1)[0]])
        """)
    assert got == [
        [2020, "the cloud says no"],
        [2020, "the cloud says no"],
        [5, "not for you"],
        [404, "cloud func named 'noSuchFunction' not found."],
        [404, "cloud func named 'noSuchFunction' not found."],
        [141, "Cloud Code script had an error."],
        1,  # params that do not fit the signature (DESIGN §4)
    ]
    log = server.log()
    assert '"POST /1.1/functions/fail2020 HTTP/1.1" 400' in log
    assert '"POST /1.1/functions/forbidden HTTP/1.1" 403' in log
    assert '"POST /1.1/call/noSuchFunction HTTP/1.1" 404' in log
    assert "KeyError: 'missing'" in log  # the bug is logged, not shown


# ---- IM hooks need the hook key (spec §2.3, §3.4) --------------------------------------------

def test_im_hook_with_the_hook_key(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        without = failure(leancloud.cloud.run, '_messageReceived', content='hi')
        leancloud.init(APP_ID, APP_KEY, hook_key='not-the-hook-key')
        wrong = failure(leancloud.cloud.run, '_messageReceived', content='hi')
        leancloud.init(APP_ID, APP_KEY, hook_key=HOOK_KEY)
        answer = leancloud.cloud.run('_messageReceived', fromPeer='alice', convId='c1',
                                     toPeers=['bob'], content='hi there', transient=False)
        leancloud.init(APP_ID, master_key=MASTER_KEY, hook_key=HOOK_KEY)
        with_master = leancloud.cloud.run('_messageReceived', content='m')
        out([without, wrong, answer, with_master])
        """)
    without, wrong, answer, with_master = got
    assert without == [401, "Unauthorized."]
    assert wrong == [401, "Unauthorized."]
    assert answer == {"content": "HI THERE",
                      "seen": ["content", "convId", "fromPeer", "toPeers", "transient"]}
    assert with_master == {"content": "M", "seen": ["content"]}


# ---- the JavaScript SDK (leancloud-storage 4) ------------------------------------------------

@pytest.fixture(scope="session")
def js_sdk() -> Path:
    """`.venv/js-sdk/node_modules`, with leancloud-storage@4 installed by npm if needed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("the JavaScript SDK test needs node and npm, and "
                    f"{'node' if node is None else 'npm'} is not on PATH")
    modules = JS_SDK / "node_modules"
    with _locked(JS_SDK):
        if not (JS_SDK / READY).exists() or not (modules / "leancloud-storage").is_dir():
            JS_SDK.mkdir(parents=True, exist_ok=True)
            failure = _run_step([npm, "install", "--silent", "--no-audit", "--no-fund",
                                 "leancloud-storage@4"], cwd=JS_SDK)
            if failure:
                pytest.skip(f"cannot install leancloud-storage@4 with npm: {failure}")
            (JS_SDK / READY).write_text("npm install leancloud-storage@4\n")
    return modules


JS_CLIENT = """\
const AV = require('leancloud-storage');
const [appId, appKey, masterKey, hookKey, serverURL] = process.argv.slice(2);

async function failure(call) {
  try {
    await call();
  } catch (error) {
    return [error.code, error.rawMessage];  // .message adds " [status method url]"
  }
  return null;
}

(async () => {
  // The JS SDK sends `X-LC-Key: <app key>` (and `<master key>,master` with useMasterKey),
  // where the Python SDK signs: both ways are checked.
  AV.init({appId, appKey, masterKey, hookKey, serverURL});
  const out = {};
  out.hello = await AV.Cloud.run('hello', {name: 'js'});
  out.helloDefault = await AV.Cloud.run('hello');
  out.fail2020 = await failure(() => AV.Cloud.run('fail2020'));
  out.unknown = await failure(() => AV.Cloud.run('noSuchFunction', {}));
  const later = await AV.Cloud.rpc('shiftDate', {when: new Date('2024-02-28T23:30:15.123Z')});
  out.later = later instanceof Date ? later.toISOString() : later;
  const todo = AV.Object.createWithoutData('Todo', '5f1a2b');
  const tagged = await AV.Cloud.rpc('tagTodo', {todo, when: new Date('2024-01-02T03:04:05Z')});
  out.tagged = [tagged instanceof AV.Object, tagged.className, tagged.id, tagged.get('checked'),
                tagged.get('checkedAt') instanceof Date ? tagged.get('checkedAt').toISOString() : null];
  out.metadatas = await AV.Cloud.run('_ops/metadatas', {}, {useMasterKey: true});
  out.metadatasWithAppKey = await failure(() => AV.Cloud.run('_ops/metadatas'));
  out.imHook = await AV.Cloud.run('_messageReceived', {content: 'from js', convId: 'c9'});
  console.log(JSON.stringify(out));
})().catch((error) => {
  console.error(error && error.stack || error);
  process.exit(1);
});
"""


def test_javascript_sdk(js_sdk: Path, server: ServerProcess, tmp_path: Path) -> None:
    script = tmp_path / "client.js"
    script.write_text(JS_CLIENT, encoding="utf-8")
    env = dict(client_env(server), NODE_PATH=str(js_sdk))
    try:
        result = subprocess.run(["node", str(script), *KEYS, server.url], env=env,
                                capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"the node client hung:\n{exc.stderr}\n{server.log()}") from None
    assert result.returncode == 0, f"the node client failed:\n{result.stderr}\n{server.log()}"
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got == {
        "hello": "Hello, js!",
        "helloDefault": "Hello, world!",
        "fail2020": [2020, "the cloud says no"],
        "unknown": [404, "cloud func named 'noSuchFunction' not found."],
        "later": "2024-02-29T23:30:15.123Z",
        "tagged": [True, "Todo", "5f1a2b", True, "2024-01-02T03:04:05.000Z"],
        "metadatas": ["hello", "fail2020", "forbidden", "crash", "shiftDate", "describe",
                      "tagTodo", "todoList", "_messageReceived"],
        "metadatasWithAppKey": [401, "Unauthorized."],
        "imHook": {"content": "FROM JS", "seen": ["content", "convId"]},
    }
    log = server.log()
    assert '"POST /1.1/functions/_ops/metadatas HTTP/1.1" 401' in log
