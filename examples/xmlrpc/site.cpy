# An XML-RPC service and a web page that documents it, served by one module.
#
# Compile with: cherryc compile --autoescape site.cpy   (writes siteServer.py)
# Serve with:   python siteServer.py                    (http://127.0.0.1:8016/)
# Call it with: python client.py
#
# typeOfRequests = xmlRpc,web in siteServer.cfg turns XML-RPC on: a POST of text/xml
# to / (or /RPC2) is a call. The method name, split on dots, is mapped like a URL:
# `add` is root.add, `math.multiply` is math.multiply (the Math class). Only methods
# marked `xmlrpc`, or all methods of an `xmlrpc` class, can be called this way, and
# browsers cannot reach them. Arguments arrive as Python values (int, float, str,
# list, dict, ...) and the return value goes back the same way.

import inspect
import xmlrpc.client

#: Fault codes of this service. A method raises xmlrpc.client.Fault(code, message)
#: to tell the caller what is wrong with the call; anything else that goes wrong is
#: fault 1, whose message is only the HTTP status (details go to the server's log).
UNEXPECTED_ERROR = 1
BAD_ARGUMENT = 2
DIVISION_BY_ZERO = 3


def onError():
    # Replaces the default error handling, so that a Fault raised by a method reaches
    # the caller as it is. XML-RPC sends faults with 200 OK.
    error = sys.exc_info()[1]
    status = str(response.headerMap["status"])
    if request.isXmlRpc:
        if not isinstance(error, xmlrpc.client.Fault):
            error = xmlrpc.client.Fault(UNEXPECTED_ERROR, status)
        response.headerMap["status"] = 200
        response.headerMap["content-type"] = "text/xml"
        response.body = xmlrpc.client.dumps(error, methodresponse=True)
    else:
        response.headerMap["content-type"] = "text/plain; charset=utf-8"
        response.body = status + "\n"


def number(value):
    """`value` if it is a number (an XML-RPC int or double), else a fault for the caller."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise xmlrpc.client.Fault(BAD_ARGUMENT, "expected a number, got %s" % type(value).__name__)
    return value

CherryClass Root:
view:
    def add(self, a, b) xmlrpc:
        """The sum of two numbers."""
        return number(a) + number(b)
function:
    def methods(self):
        """(name, method) of each XML-RPC method, in the order of the page."""
        return [("add", self.add), ("math.multiply", math.multiply),
                ("math.divide", math.divide), ("math.stats", math.stats)]
mask:
    def index(self):
        <!DOCTYPE html>
        <html>
        <head>
        <meta charset="utf-8">
        <title>XML-RPC service</title>
        <style>body { font-family: sans-serif; max-width: 44em; margin: 2em auto; } dd { margin-bottom: 1em; }</style>
        </head>
        <body>
        <h1>XML-RPC service</h1>
        <p>Send XML-RPC calls to <code py-eval="request.base + '/'">URL</code>. Methods:</p>
        <dl>
        <py-for="name, method in self.methods()">
            <dt><code py-eval="name + str(inspect.signature(method))">signature</code></dt>
            <dd py-eval="inspect.getdoc(method)">description</dd>
        </py-for>
        </dl>
        <p>Faults: <code>1</code> unexpected error (bad argument count, a result too big for
        XML-RPC, ...), <code>2</code> bad argument, <code>3</code> division by zero.</p>
        <p>From Python:</p>
        <pre>&gt;&gt;&gt; import xmlrpc.client
        &gt;&gt;&gt; server = xmlrpc.client.ServerProxy(<py-eval="repr(request.base + '/')">)
        &gt;&gt;&gt; server.math.multiply(6, 7)
        42</pre>
        </body>
        </html>

CherryClass Math xmlrpc:
view:
    def multiply(self, a, b):
        """The product of two numbers."""
        return number(a) * number(b)
    def divide(self, a, b):
        """a divided by b, a double; dividing by zero is fault 3."""
        if number(b) == 0:
            raise xmlrpc.client.Fault(DIVISION_BY_ZERO, "division by zero")
        return number(a) / b
    def stats(self, numbers):
        """Count, sum, mean, min and max of an array of numbers, as a struct."""
        if not isinstance(numbers, list) or not numbers:
            raise xmlrpc.client.Fault(BAD_ARGUMENT, "expected a non-empty array of numbers")
        values = [number(value) for value in numbers]
        return {"count": len(values), "sum": sum(values), "mean": sum(values) / len(values),
                "min": min(values), "max": max(values)}
