#!/usr/bin/python3
"""Open a page in headless Chromium over the DevTools protocol.

usage: browser.py URL COOKIE-VALUE SCREENSHOT-PREFIX

Starts a fresh Chromium (flags from FACTS.md), sets the gl_session cookie
for the URL's origin, loads the page at desktop and phone widths, saves a
full-page screenshot of each (PREFIX-desktop.png, PREFIX-phone.png) and
prints one JSON object describing the rendered DOM and any console or
Content-Security-Policy messages.
"""
import base64
import json
import os
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from devtools import Tab, start_chromium  # noqa: E402

PROBE = r"""
(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const focus = q('li.msg.focus');
  const first = document.querySelector('li.msg');
  return JSON.stringify({
    title: document.title,
    messages: q('li.msg').map(li => ({
      id: li.id, sender: li.dataset.sender,
      label: li.querySelector('.label').textContent,
      time: (li.querySelector('time') || {}).dateTime || null,
      text: li.querySelector('.text').textContent})),
    focus: focus.map(li => li.id),
    focus_styled: focus.length > 0 &&
      getComputedStyle(focus[0]).boxShadow !== 'none',
    sheet_applied: first !== null &&
      getComputedStyle(first).borderLeftWidth === '4px',
    context: (document.querySelector('#context') || {}).textContent || null,
    form: document.querySelector('form textarea[name=text]') !== null,
    csrf: document.querySelectorAll('form input[name=csrf]').length,
    scripts: q('script').length,
    width: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  });
})()
"""


def main():
    url, cookie, prefix = sys.argv[1:4]
    profile = tempfile.mkdtemp(prefix="gl-chromium-")
    proc = None
    try:
        proc, hostport = start_chromium(profile)
        with urllib.request.urlopen(f"http://{hostport}/json/list") as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        tab = Tab(pages[0]["webSocketDebuggerUrl"])
        for domain in ("Page", "Network", "Runtime", "Log"):
            tab.call(domain + ".enable")
        origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
        if cookie:
            tab.call("Network.setCookie", name="gl_session", value=cookie,
                     url=origin, httpOnly=True, sameSite="Lax")
        out = {}
        for name, width, height, mobile in (("desktop", 1280, 900, False),
                                            ("phone", 390, 844, True)):
            tab.call("Emulation.setDeviceMetricsOverride", width=width,
                     height=height, deviceScaleFactor=1, mobile=mobile)
            tab.call("Page.navigate", url=url)
            tab.wait_event("Page.loadEventFired")
            res = tab.call("Runtime.evaluate", expression=PROBE,
                           returnByValue=True)
            out[name] = json.loads(res["result"]["value"])
            shot = tab.call("Page.captureScreenshot", format="png",
                            captureBeyondViewport=True)
            path = f"{prefix}-{name}.png"
            with open(path, "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            out[name]["screenshot"] = path
            out[name]["screenshot_bytes"] = os.path.getsize(path)
        out["console"] = [
            ev["params"]["entry"]["text"] for ev in tab.events
            if ev.get("method") == "Log.entryAdded"]
        print(json.dumps(out))
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
