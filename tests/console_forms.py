"""Reading and submitting the console's HTML forms the way a browser does, for the test client.

A browser drops the newline right after ``<textarea>``, submits only checked boxes, a select's
selected option (or its first), nothing from disabled controls, and the clicked button's own
name, value and ``formaction``. Testing through this keeps the templates honest: a field the
form shows but loses on the way back fails here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse


@dataclass
class Button:
    text: str
    name: str | None
    value: str
    formaction: str | None


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)  # ids that a <label for> names
    ids: dict[str, str] = field(default_factory=dict)  # control id -> name

    def get(self, name: str, default: str | None = None) -> str | None:
        return next((v for n, v in self.fields if n == name), default)

    def getlist(self, name: str) -> list[str]:
        return [v for n, v in self.fields if n == name]

    def names(self) -> set[str]:
        return {n for n, _ in self.fields}


class _Reader(HTMLParser):
    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.form: Form | None = None
        self.inside = False
        self.disabled_depth = 0  # open <fieldset disabled> elements
        self.fieldsets: list[bool] = []
        self.textarea: tuple[str, bool] | None = None
        self.text: list[str] = []
        self.select: tuple[str, bool] | None = None
        self.options: list[tuple[str, bool]] = []
        self.option_value: str | None = None
        self.option_text: list[str] = []
        self.button: dict[str, str | None] | None = None
        self.button_text: list[str] = []
        self.all_labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.all_labels.add(str(a["for"]))
        if tag == "form" and a.get("id") == self.form_id:
            self.form, self.inside = Form(action=str(a.get("action") or "")), True
            return
        if not self.inside or self.form is None:
            return
        disabled = "disabled" in a or self.disabled_depth > 0
        if tag == "fieldset":
            self.fieldsets.append("disabled" in a)
            self.disabled_depth += "disabled" in a
        elif tag == "input":
            name, kind = a.get("name"), (a.get("type") or "text").lower()
            if a.get("id") and name:
                self.form.ids[str(a["id"])] = name
            if not name or disabled or kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.form.fields.append((name, a.get("value") or "on"))
                return
            self.form.fields.append((name, a.get("value") or ""))
        elif tag == "textarea":
            name = a.get("name")
            if a.get("id") and name:
                self.form.ids[str(a["id"])] = name
            self.textarea, self.text = (name or "", disabled), []
        elif tag == "select":
            name = a.get("name")
            if a.get("id") and name:
                self.form.ids[str(a["id"])] = name
            self.select, self.options = (name or "", disabled), []
        elif tag == "option" and self.select is not None:
            self.option_value = a.get("value")
            self.option_text = []
            self.options.append(("", "selected" in a))
        elif tag == "button":
            self.button, self.button_text = (
                {"name": a.get("name"), "value": a.get("value") or "", "formaction": a.get("formaction")},
                [],
            )

    def handle_endtag(self, tag: str) -> None:
        if not self.inside or self.form is None:
            return
        if tag == "form":
            self.inside = False
            self.form.labels = set(self.all_labels)
        elif tag == "fieldset" and self.fieldsets:
            self.disabled_depth -= self.fieldsets.pop()
        elif tag == "textarea" and self.textarea is not None:
            name, disabled = self.textarea
            value = "".join(self.text)
            value = value[1:] if value.startswith("\n") else value  # the HTML parser's rule
            if name and not disabled:
                self.form.fields.append((name, value))
            self.textarea = None
        elif tag == "option" and self.select is not None and self.options:
            value = self.option_value if self.option_value is not None else "".join(self.option_text).strip()
            self.options[-1] = (value, self.options[-1][1])
        elif tag == "select" and self.select is not None:
            name, disabled = self.select
            chosen = [v for v, selected in self.options if selected] or [v for v, _ in self.options[:1]]
            if name and not disabled and chosen:
                self.form.fields.append((name, chosen[-1]))
            self.select = None
        elif tag == "button" and self.button is not None:
            b = self.button
            self.form.buttons.append(
                Button("".join(self.button_text).strip(), b["name"], b["value"] or "", b["formaction"])
            )
            self.button = None

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text.append(data)
        if self.select is not None and self.options:
            self.option_text.append(data)
        if self.button is not None:
            self.button_text.append(data)


def read_form(html: str, form_id: str = "guide-form") -> Form:
    reader = _Reader(form_id)
    reader.feed(html)
    reader.close()
    assert reader.form is not None, f"no <form id={form_id!r}> in the page"
    reader.form.labels = set(reader.all_labels)
    return reader.form


def submit(
    client: FlaskClient,
    html: str,
    *,
    button: str | None = None,
    change: Mapping[str, str | Sequence[str]] | None = None,
    headers: Mapping[str, str] | None = None,
    form_id: str = "guide-form",
) -> TestResponse:
    """Submit the page's form with ``change`` applied (a list value sets every value of a
    repeated field, such as checkboxes), pressing the button whose text is ``button``."""
    form = read_form(html, form_id)
    data: MultiDict[str, str] = MultiDict(form.fields)
    for name, value in (change or {}).items():
        if isinstance(value, str):
            data.setlist(name, [value])
        else:
            data.setlist(name, list(value))
    action = form.action
    if button is not None:
        pressed = next((b for b in form.buttons if b.text == button), None)
        assert pressed is not None, f"no button {button!r}: {[b.text for b in form.buttons]}"
        if pressed.name:
            data.add(pressed.name, pressed.value)
        action = pressed.formaction or action
    return client.post(action, data=data, headers=dict(headers or {}))
