#!/usr/bin/python3
"""A warm headless Chromium printing a page, as print services run it.

usage: warm_pdf.py HTML OUT-PDF ROUNDS

Starts Chromium once, loads the page and prints it with the DevTools
Page.printToPDF once to warm it up, then ROUNDS times loads and prints
it again, each timed from the navigation to the PDF's last byte.  Prints
one line: "warm chromium: best B ms of ROUNDS, first F ms, N bytes" and
writes the last PDF to OUT-PDF.
"""
import base64
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from devtools import Tab, start_chromium  # noqa: E402


def print_once(tab, url):
    """Load url and print it; the PDF's bytes."""
    tab.call("Page.navigate", url=url)
    tab.wait_event("Page.loadEventFired", limit=120)
    # As the fresh run's --no-pdf-header-footer, on the default paper.
    res = tab.call("Page.printToPDF", displayHeaderFooter=False,
                   printBackground=True)
    return base64.b64decode(res["data"])


def main():
    html, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    url = "file://" + os.path.abspath(html)
    profile = tempfile.mkdtemp(prefix="gl-chromium-")
    proc = None
    try:
        proc, hostport = start_chromium(profile)
        with urllib.request.urlopen(f"http://{hostport}/json/list") as r:
            pages = [t for t in json.load(r) if t["type"] == "page"]
        tab = Tab(pages[0]["webSocketDebuggerUrl"])
        tab.ws.settimeout(120)
        tab.call("Page.enable")
        t0 = time.monotonic()
        pdf = print_once(tab, url)
        first = (time.monotonic() - t0) * 1000
        best = None
        for _ in range(rounds):
            t0 = time.monotonic()
            pdf = print_once(tab, url)
            t = (time.monotonic() - t0) * 1000
            best = t if best is None or t < best else best
        with open(out, "wb") as f:
            f.write(pdf)
        print(f"warm chromium: best {best:.1f} ms of {rounds}, "
              f"first {first:.1f} ms, {len(pdf)} bytes")
    finally:
        if proc is not None:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
