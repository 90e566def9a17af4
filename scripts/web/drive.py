#!/usr/bin/env python3
"""Drives the web app in headless Chromium through chromedriver (the W3C WebDriver protocol:
JSON over HTTP, so the standard library is enough) and reports what the page computed.

    drive.py --site URL --chromedriver PORT summary FRAGMENT OUT.json
        loads URL + FRAGMENT, waits for the final result, writes window.tierlab.summary()
        to OUT.json, prints the page's link and its timings as JSON
    drive.py ... screenshot FRAGMENT OUT.png   the page once its result is there
    drive.py ... edit FRAGMENT SEED            the time from a seed edit to its result

Every wait is bounded; a page that does not answer in time fails the run.
"""

import argparse
import base64
import json
import sys
import time
import urllib.error
import urllib.request

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # rAF keeps its pace in a headless window that is "hidden".
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--window-size=1440,900",
]


class Driver:
    def __init__(self, port, user_data_dir, binary):
        self.base = f"http://127.0.0.1:{port}"
        caps = {
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": binary,
                        "args": CHROMIUM_ARGS + [f"--user-data-dir={user_data_dir}"],
                    },
                }
            }
        }
        self.session = self.call("POST", "/session", caps)["sessionId"]

    def call(self, method, path, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise RuntimeError(f"{method} {path}: {e.code} {e.read()[:2000]!r}") from None

    def s(self, method, path, body=None, timeout=120):
        return self.call(method, f"/session/{self.session}{path}", body, timeout)

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args, timeout=120):
        self.s("POST", "/timeouts", {"script": int(timeout * 1000)})
        return self.s("POST", "/execute/async", {"script": script, "args": list(args)}, timeout=timeout + 30)

    def quit(self):
        try:
            self.call("DELETE", f"/session/{self.session}")
        except Exception:  # the browser may already be gone; nothing to clean up then
            pass


def load(d, url, timeout):
    """Opens url in a fresh page and waits for window.tierlab and the final result."""
    # about:blank first: a change of fragment alone would not reload the page.
    d.s("POST", "/url", {"url": "about:blank"})
    d.s("POST", "/url", {"url": url})
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = d.js("return window.tierlab ? [window.tierlab.ready(), document.getElementById('status') ? "
                     "document.getElementById('status').textContent : ''] : [false, "
                     "document.getElementById('status') ? document.getElementById('status').textContent : '']")
        if state[0]:
            return
        if state[1].startswith("Tierlab could not start"):
            raise RuntimeError(state[1])
        time.sleep(0.05)
    raise RuntimeError(f"no final result within {timeout} s at {url}")


def timings(d):
    return d.js("return {first_result_ms: window.tierlab.first_result_ms(), link: window.tierlab.link(), "
                "status: window.tierlab.status(), errors: window.tierlab.errors()}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--site", required=True)
    ap.add_argument("--chromedriver", type=int, required=True)
    ap.add_argument("--user-data-dir", required=True)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("what", choices=["summary", "screenshot", "edit"])
    ap.add_argument("fragment")
    ap.add_argument("out")
    a = ap.parse_args()

    d = Driver(a.chromedriver, a.user_data_dir, a.chromium)
    try:
        d.s("POST", "/window/rect", {"width": 1440, "height": 900})
        load(d, a.site + a.fragment, a.timeout)
        info = timings(d)
        if a.what == "summary":
            text = d.js("return window.tierlab.summary()")
            if not text:
                raise RuntimeError("the page has a result but no summary")
            with open(a.out, "w") as f:
                f.write(text)
        elif a.what == "screenshot":
            # The tab's own analyses too (a sweep, a sensitivity analysis), then two more
            # frames, so that what was computed last is drawn.
            d.js_async(
                "const done = arguments[0];"
                "(function wait() { if (window.tierlab.idle()) requestAnimationFrame(() => requestAnimationFrame(done));"
                " else setTimeout(wait, 50); })();",
                timeout=a.timeout,
            )
            png = base64.b64decode(d.s("GET", "/screenshot"))
            with open(a.out, "wb") as f:
                f.write(png)
        else:
            # A seed edit, as the seed field makes it, and the frames until its final result:
            # the time from the edit to the result, and the longest frame meanwhile.
            info["edit"] = d.js_async(
                """
                const seed = Number(arguments[0]), done = arguments[arguments.length - 1];
                const t0 = performance.now();
                let last = t0, longest = 0, frames = 0;
                window.tierlab.set_seed(seed);
                function frame(now) {
                  longest = Math.max(longest, now - last); last = now; frames++;
                  if (window.tierlab.ready() && window.tierlab.summary().includes('"seed": ' + seed)) {
                    done({edit_to_result_ms: performance.now() - t0, longest_frame_ms: longest, frames: frames});
                  } else {
                    requestAnimationFrame(frame);
                  }
                }
                requestAnimationFrame(frame);
                """,
                a.out,
                timeout=a.timeout,
            )
        json.dump(info, sys.stdout)
        print()
    finally:
        d.quit()


if __name__ == "__main__":
    main()
