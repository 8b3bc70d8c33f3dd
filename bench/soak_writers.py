"""The writing half of bench/soak: editors adding and editing draft directives through
the admin, over HTTPS through nginx, for a given time, as a browser would (login, the
form as the page gives it, its CSRF token, the Referer). Prints one JSON line: what was
acknowledged (a redirect after the save) and every answer that was not.

    python bench/soak_writers.py --base https://127.0.0.1:8443 --cafile var/tls/ca.pem \
        --username soak --password ... --seconds 600 --writers 2 --run RUN_ID
"""

import argparse
import http.cookiejar
import json
import ssl
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from html.parser import HTMLParser

ADD = "/admin/policies/directive/add/"


class FormFields(HTMLParser):
    """The values a browser would send for the form with the given id: inputs,
    checked boxes, selected options and textareas, as the page renders them."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside or (not attrs.get("name") and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append([attrs["name"], attrs.get("value", "")])
        elif tag == "select":
            self._select = [attrs["name"], None, "multiple" in attrs]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append([self._select[0], attrs.get("value", "")])
            self._select[1] = True
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append(self._textarea)
            self._textarea = None
        elif tag == "select":
            self._select = None


class Editor:
    def __init__(self, base, context, username, password):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirect(),
        )
        self.answers = Counter()
        fields = self.form("/admin/login/", "login-form")
        fields = [f for f in fields if f[0] not in ("username", "password")]
        fields += [["username", username], ["password", password]]
        status, _ = self.post("/admin/login/?next=/admin/", fields)
        if status != 302:
            raise SystemExit(f"login failed: {status}")

    def request(self, path, data=None):
        request = urllib.request.Request(  # noqa: S310 (main() allows https:// only)
            self.base + path,
            data=urllib.parse.urlencode([tuple(f) for f in data]).encode() if data else None,
            headers={"Referer": self.base + path},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers

    def form(self, path, form_id):
        status, html, _ = self.request(path)
        self.answers[f"GET {status}"] += 1
        parser = FormFields(form_id)
        parser.feed(html)
        return parser.fields

    def post(self, path, fields):
        status, _, headers = self.request(path, fields)
        self.answers[f"POST {status}"] += 1
        return status, headers.get("Location", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def replace(fields, name, value):
    return [f for f in fields if f[0] != name] + [[name, value]]


def write(editor, run, writer, deadline, acknowledged):
    """Add drafts; every third save edits the writer's last draft's summary."""
    number, last = 0, None
    while time.monotonic() < deadline:
        number += 1
        if last and number % 3 == 0:
            change = f"/admin/policies/directive/{last}/change/"
            fields = replace(editor.form(change, "directive_form"), "summary", f"edit {number}")
            status, _ = editor.post(change, fields)
            if status == 302:
                acknowledged["edits"][str(last)] = f"edit {number}"
            continue
        title = f"Soak {run} {writer}-{number}"
        fields = editor.form(ADD, "directive_form")
        fields = replace(fields, "title", title)
        fields = replace(fields, "slug", f"soak-{run}-{writer}-{number}")
        fields = replace(fields, "kind", "notice")  # required; the form offers no default
        fields = replace(fields, "_continue", "1")  # answer with the new draft's address
        status, location = editor.post(ADD, fields)
        if status == 302:
            acknowledged["added"].append(title)
            parts = [part for part in location.split("/") if part.isdigit()]
            last = parts[-1] if parts else last


def main():
    parser = argparse.ArgumentParser()
    for name in ("base", "cafile", "username", "password", "run"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--writers", type=int, default=2)
    options = parser.parse_args()
    if not options.base.startswith("https://"):
        parser.error("--base must be the site's https:// address")
    context = ssl.create_default_context(cafile=options.cafile)
    deadline = time.monotonic() + options.seconds
    editors = [
        Editor(options.base, context, options.username, options.password)
        for _ in range(options.writers)
    ]
    acknowledged = {"added": [], "edits": {}}
    threads = [
        threading.Thread(target=write, args=(editor, options.run, i, deadline, acknowledged))
        for i, editor in enumerate(editors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = sum((editor.answers for editor in editors), Counter())
    print(json.dumps({**acknowledged, "answers": answers}))


if __name__ == "__main__":
    main()
