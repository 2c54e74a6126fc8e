import asyncio

from datasette import hookimpl

# uvicorn's send() returns silently once the client has gone, so a page that keeps sending
# never learns it: a CSV stream (?_stream=on) went on paging through the whole table for
# nobody, ten abandoned ones costing 85 CPU-seconds. The client's leaving reaches the app
# only as an http.disconnect from receive(), which a GET page never reads; so it is read
# here, and the page's task is cancelled when it comes before the response is complete. The
# query already running in a thread ends within the SQL time limit; no further one starts.
# Requests with a body (POST forms) are left alone: they read receive() themselves.
WATCHED_METHODS = ("GET", "HEAD")


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def stop_when_client_leaves(scope, receive, send):
            if scope.get("type") != "http" or scope.get("method") not in WATCHED_METHODS:
                await app(scope, receive, send)
                return
            messages = asyncio.Queue()
            state = {"complete": False, "left": False}

            async def tracked_send(message):
                if message.get("type") == "http.response.body" and not message.get("more_body"):
                    state["complete"] = True
                await send(message)

            page = asyncio.ensure_future(app(scope, messages.get, tracked_send))

            async def watch():
                # The only reader of the server's receive(): the page reads the same
                # messages from the queue, in order.
                while True:
                    message = await receive()
                    messages.put_nowait(message)
                    if message.get("type") == "http.disconnect":
                        if not state["complete"]:
                            state["left"] = True
                            page.cancel()
                        return

            watcher = asyncio.ensure_future(watch())
            try:
                await page
            except asyncio.CancelledError:
                # Cancelled because the client left: the request is over, quietly. Cancelled
                # from outside (the server shutting down): that cancellation goes on up.
                if not state["left"] or asyncio.current_task().cancelling():
                    raise
            finally:
                watcher.cancel()

        return stop_when_client_leaves

    return wrap
