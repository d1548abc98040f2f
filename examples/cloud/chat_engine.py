"""Realtime messaging (IM) hooks, kept in a plain Python module.

The realtime service calls these like ordinary cloud functions
(`POST /1.1/functions/_messageReceived`), but only with the app's hook key
(`X-LC-Hook-Key`): without it the engine answers 401 before looking at the name.
Their parameters are the message's fields, so they take `**params`.

The site merges this engine with `engine.register(chat_engine.engine)` (see site.cpy).
"""

import json

from cherryc.runtime.leanengine import Engine

engine = Engine()

#: Words nobody may send; they are replaced by stars in text messages.
BANNED_WORDS = ('XX中介',)


def _censor(text):
    for word in BANNED_WORDS:
        text = text.replace(word, '**')
    return text


@engine.define
def _messageReceived(**params):
    """Called for each message before it is delivered; may change or drop it.

    `params['content']` is the message as the client sent it: plain text, or for the
    typed messages of the SDKs a JSON text such as `{"_lctype": -1, "_lctext": "hi"}`.
    Returning `{}` keeps the message as it is; returning `content` replaces it
    (`drop: True` would discard it).
    """
    content = params.get('content', '')
    try:
        message = json.loads(content)
    except ValueError:
        message = None
    if isinstance(message, dict) and isinstance(message.get('_lctext'), str):
        censored = dict(message, _lctext=_censor(message['_lctext']))
        if censored == message:
            return {}
        return {'content': json.dumps(censored, ensure_ascii=False)}
    censored = _censor(content)
    if censored == content:
        return {}  # nothing to change: default processing
    return {'content': censored}


@engine.define
def _receiversOffline(**params):
    """Called when some receivers are offline: what their push notification says.

    The answer's `pushMessage` is the push payload as a JSON text: here the first
    six characters of the message as the alert, and one more unread message.
    """
    content = params.get('content', '')
    alert = content[:6] + ('...' if len(content) > 6 else '')
    payload = {
        'badge': 'Increment',  # add one to the app's badge count
        'sound': 'default',
        '_profile': 'dev',  # use the development push certificate
        'alert': alert,
    }
    return {'pushMessage': json.dumps(payload, ensure_ascii=False)}
