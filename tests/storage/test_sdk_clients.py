"""The official SDKs as clients of the object store (DESIGN.md §6, issue 6 point 5), both backends.

The Python SDK (`leancloud` 3.0.2): `Object` save/fetch/destroy, `Query` find/first/count
with several operators, `User.sign_up`/`login`/`become`, a hook rejection surfacing as
LeanCloudError 142. The JavaScript SDK (`leancloud-storage` 4): `AV.Object`, `AV.Query`,
`AV.User`. The SDK installs and client runners are those of
tests/runtime/test_leanengine_sdk.py, imported rather than copied.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "runtime"))

from restapi import storage_url  # noqa: E402,F401 - a fixture
from servers import ServerProcess, compile_site  # noqa: E402
from test_leanengine_sdk import (  # noqa: E402,F401 - js_sdk and sdk_python are fixtures
    KEYS, LEAN_SECTION, SERVER_ENV, client_env, js_sdk, run_python_client, sdk_python,
)

SITE = """\
@engine.before_save('SdkReview')
def review_before_save(review):
    if review.get('stars', 0) > 5:
        raise LeanEngineError(400, 'five stars at most')
    review.set('checked', True)

CherryClass Root:
mask:
    def index(self):
        sdk storage site
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, storage_url: str) -> Iterator[ServerProcess]:
    folder = tmp_path_factory.mktemp("sdk-storage")
    compile_site(folder, SITE)
    process = ServerProcess(folder, env=SERVER_ENV,
                            extra=f"{LEAN_SECTION}[storage]\nurl = {storage_url}\n")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_python_sdk_objects(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        Todo = leancloud.Object.extend('PyTodo')
        todo = Todo()
        todo.set('title', 'write tests')
        todo.set('priority', 2)
        todo.set('due', datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc))
        todo.save()
        fetched = Todo.create_without_data(todo.id)
        fetched.fetch()
        todo.increment('priority', 3)
        todo.add_unique('tags', 'a')
        todo.save()
        again = leancloud.Query('PyTodo').get(todo.id)
        todo.destroy()
        out([len(todo.id), fetched.get('title'), fetched.get('priority'),
             fetched.get('due').isoformat(), fetched.created_at is not None,
             again.get('priority'), again.get('tags'),
             leancloud.Query('PyTodo').count(),
             failure(leancloud.Query('PyTodo').equal_to('objectId', todo.id).first)[0]])
        """)
    assert got == [24, "write tests", 2, "2024-05-06T07:08:09+00:00", True, 5, ["a"], 0, 101]


def test_python_sdk_queries(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        Task = leancloud.Object.extend('PyTask')
        leancloud.Object.save_all([Task(name='t%d' % i, rank=i, even=(i % 2 == 0)) for i in range(8)])

        def names(query):
            return [task.get('name') for task in query.find()]

        Query = leancloud.Query
        out([
            names(Query(Task).greater_than_or_equal_to('rank', 2).less_than('rank', 5).ascending('rank')),
            names(Query(Task).equal_to('even', True).descending('rank').limit(2)),
            names(Query(Task).contained_in('rank', [1, 6, 9]).ascending('rank')),
            names(Query(Task).not_equal_to('even', True).skip(1).limit(2).ascending('rank')),
            names(Query(Task).startswith('name', 't7')),
            names(leancloud.Query.or_(Query(Task).equal_to('rank', 0), Query(Task).equal_to('rank', 7))
                  .ascending('rank')),
            Query(Task).equal_to('name', 't3').first().get('rank'),
            failure(Query(Task).equal_to('name', 'none').first)[0],
            Query(Task).greater_than('rank', 4).count(),
            Query(Task).select('name').equal_to('rank', 1).first().get('rank'),
        ])
        """)
    assert got == [["t2", "t3", "t4"], ["t6", "t4"], ["t1", "t6"], ["t3", "t5"], ["t7"],
                   ["t0", "t7"], 3, 101, 3, None]


def test_python_sdk_users(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        user = leancloud.User()
        user.set('nickname', 'Annie')
        user.sign_up('py-ann', 'secret-pw')
        token = user.get_session_token()
        taken = failure(leancloud.User().sign_up, 'py-ann', 'other')
        logged = leancloud.User()
        logged.login('py-ann', 'secret-pw')
        wrong = failure(leancloud.User().login, 'py-ann', 'wrong')
        unknown = failure(leancloud.User().login, 'py-nobody', 'x')
        became = leancloud.User.become(token)
        became.set('nickname', 'Ann')
        became.save()
        out([len(user.id), bool(token), taken[0], logged.id == user.id,
             logged.get('nickname'), logged.get('password'), wrong[0], unknown[0],
             became.get_username(), leancloud.User.become(token).get('nickname'),
             failure(leancloud.User.become, 'not-a-token')[0]])
        """)
    assert got == [24, True, 202, True, "Annie", None, 210, 211, "py-ann", "Ann", 211]


def test_python_sdk_hook_rejection_is_142(sdk_python: str, server: ServerProcess) -> None:
    got = run_python_client(sdk_python, server, """\
        leancloud.init(APP_ID, APP_KEY)
        Review = leancloud.Object.extend('SdkReview')
        good = Review(stars=4)
        good.save()
        bad = Review(stars=6)
        out([failure(bad.save), bad.id, leancloud.Query(Review).get(good.id).get('checked'),
             leancloud.Query(Review).count()])
        """)
    rejection, bad_id, checked, count = got
    assert rejection[0] == 142 and "five stars at most" in rejection[1]
    assert (bad_id, checked, count) == (None, True, 1)


JS_CLIENT = """\
const AV = require('leancloud-storage');
const [appId, appKey, masterKey, hookKey, serverURL] = process.argv.slice(2);

async function failure(call) {
  try {
    await call();
  } catch (error) {
    return error.code;
  }
  return null;
}

(async () => {
  AV.init({appId, appKey, serverURL});
  const out = {};
  const Todo = AV.Object.extend('JsTodo');
  const todo = new Todo();
  todo.set('title', 'from js');
  todo.set('priority', 1);
  todo.set('due', new Date('2024-05-06T07:08:09.010Z'));
  await todo.save();
  out.id = todo.id.length;
  todo.increment('priority', 4);
  await todo.save();
  const fetched = await AV.Object.createWithoutData('JsTodo', todo.id).fetch();
  out.fetched = [fetched.get('title'), fetched.get('priority'), fetched.get('due').toISOString()];
  await AV.Object.saveAll([1, 2, 3, 4].map((rank) => new Todo({title: 'task ' + rank, priority: rank * 10})));
  const query = new AV.Query('JsTodo');
  query.greaterThanOrEqualTo('priority', 20);
  query.lessThan('priority', 40);
  query.ascending('priority');
  out.found = (await query.find()).map((t) => t.get('title'));
  const starts = new AV.Query('JsTodo');
  starts.startsWith('title', 'task 4');
  out.startsWith = (await starts.find()).map((t) => t.get('title'));
  const contains = new AV.Query('JsTodo');
  contains.contains('title', 'from');
  out.contains = (await contains.first()).id === todo.id;
  const inQuery = new AV.Query('JsTodo');
  inQuery.containedIn('priority', [5, 10, 99]);
  out.count = await inQuery.count();
  await todo.destroy();
  out.afterDestroy = await new AV.Query('JsTodo').count();

  const user = new AV.User();
  user.setUsername('js-ann');
  user.setPassword('secret-pw');
  await user.signUp();
  out.signedUp = [user.id.length, Boolean(user.getSessionToken())];
  const token = user.getSessionToken();
  await AV.User.logOut();
  const logged = await AV.User.logIn('js-ann', 'secret-pw');
  out.login = [logged.id === user.id, logged.get('password') === undefined];
  out.wrongPassword = await failure(() => AV.User.logIn('js-ann', 'nope'));
  const became = await AV.User.become(token);
  out.become = became.getUsername();
  became.set('city', 'Lyon');
  await became.save();
  out.current = (await AV.User.currentAsync()).get('city');
  const Review = AV.Object.extend('SdkReview');
  out.rejected = await failure(() => new Review({stars: 9}).save());
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
        "id": 24,
        "fetched": ["from js", 5, "2024-05-06T07:08:09.010Z"],
        "found": ["task 2", "task 3"],
        "startsWith": ["task 4"],
        "contains": True,
        "count": 2,
        "afterDestroy": 4,
        "signedUp": [24, True],
        "login": [True, True],
        "wrongPassword": 210,
        "become": "js-ann",
        "current": "Lyon",
        "rejected": 142,
    }
