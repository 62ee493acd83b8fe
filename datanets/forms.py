"""Forms for the datanet pages. They only shape input; services decide."""

import json
from typing import Any

from django import forms

from datanets.licenses import DOMAINS, LICENSES
from datanets.models import Datanet, Membership
from datanets.schema import FieldSpec, build_schema, schema_to_fields

FIELD_TYPES = [
    ("string", "Text"),
    ("integer", "Whole number"),
    ("number", "Number"),
    ("boolean", "Yes / no"),
    ("array", "List of texts"),
]
MAX_BUILDER_FIELDS = 30


class DatanetForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(max_length=60, required=False, help_text="The address; made from the name when empty.")
    summary = forms.CharField(max_length=280, required=False)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False, max_length=50_000,
                                  help_text="Markdown. What belongs here, what does not, and why it matters.")
    tags = forms.CharField(max_length=400, required=False, help_text="Comma-separated, e.g. cardiology, notes")
    domain = forms.ChoiceField(choices=DOMAINS, initial="general")
    license = forms.ChoiceField(choices=LICENSES, initial="CC-BY-4.0")
    visibility = forms.ChoiceField(choices=Datanet.Visibility.choices, initial="public", widget=forms.RadioSelect)
    text_field = forms.CharField(max_length=64, initial="text",
                                 help_text="The field holding the text that is deduplicated and scored.")
    txt_mode = forms.ChoiceField(choices=Datanet.TxtMode.choices, initial="line", label="Plain-text files")
    schema_mode = forms.ChoiceField(choices=[("builder", "Field builder"), ("raw", "Raw JSON Schema")],
                                    initial="builder", widget=forms.RadioSelect)
    record_schema_json = forms.CharField(widget=forms.Textarea(attrs={"rows": 10, "class": "mono"}), required=False,
                                         label="JSON Schema")

    def __init__(self, *args: Any, builder_rows: list[dict] | None = None, editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.builder_rows = builder_rows or []
        if editing:
            del self.fields["slug"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("schema_mode") == "raw":
            try:
                schema = json.loads(data.get("record_schema_json") or "")
            except json.JSONDecodeError as exc:
                raise forms.ValidationError(
                    {"record_schema_json": f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."}
                ) from exc
        else:
            specs = []
            for row in self.builder_rows:
                if not row["name"]:
                    continue
                specs.append(FieldSpec(name=row["name"], type=row["type"], required=row["required"],
                                       max_length=row["max_length"]))
            if not specs:
                raise forms.ValidationError({"schema_mode": "Add at least one field, e.g. 'text' of type Text."})
            try:
                schema = build_schema(specs)
            except ValueError as exc:
                raise forms.ValidationError({"schema_mode": str(exc)}) from exc
        data["record_schema"] = schema
        return data


def builder_rows_from_post(post: Any) -> list[dict]:
    rows = []
    for i in range(MAX_BUILDER_FIELDS):
        if f"fb-{i}-name" not in post:
            continue
        raw_max = (post.get(f"fb-{i}-max_length") or "").strip()
        rows.append(
            {
                "index": i,
                "name": post.get(f"fb-{i}-name", "").strip(),
                "type": post.get(f"fb-{i}-type", "string"),
                "required": post.get(f"fb-{i}-required") == "on",
                "max_length": int(raw_max) if raw_max.isdigit() else None,
            }
        )
    return rows


def builder_rows_from_schema(schema: dict) -> list[dict]:
    specs = schema_to_fields(schema) or []
    return [
        {"index": i, "name": s.name, "type": s.type, "required": s.required, "max_length": s.max_length}
        for i, s in enumerate(specs)
    ]


class PoliciesForm(forms.ModelForm):
    class Meta:
        model = Datanet
        fields = ["near_dup_threshold", "min_quality", "approvals_required", "auto_accept_above", "review_order"]
        labels = {
            "near_dup_threshold": "Near-duplicate threshold (Jaccard, 0.5–1)",
            "min_quality": "Minimum quality score (0–1)",
            "approvals_required": "Approvals needed to accept",
            "auto_accept_above": "Auto-accept at or above score",
        }


class InviteForm(forms.Form):
    identifier = forms.CharField(max_length=254, label="Username or email")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial="contributor")
