"""Datanet pages (htmx). Thin: read through selectors, write through services."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from datanets import permissions, selectors, services
from datanets.forms import (
    FIELD_TYPES,
    DatanetForm,
    InviteForm,
    PoliciesForm,
    builder_rows_from_post,
    builder_rows_from_schema,
)
from datanets.licenses import DOMAINS, LICENSES
from datanets.models import Datanet, Membership


def _form_errors_from(exc: ValidationError, form) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def explore(request: HttpRequest) -> HttpResponse:
    params = {k: request.GET.get(k, "").strip() for k in ("q", "tag", "domain", "license", "sort")}
    params["sort"] = params["sort"] or "newest"
    qs = selectors.datanet_list_visible(user=request.user, **params)
    page = Paginator(qs, 24).get_page(request.GET.get("page"))
    context = {"page": page, "params": params, "domains": DOMAINS, "licenses": LICENSES,
               "tags": selectors.tags_popular(user=request.user)}
    if request.htmx and request.htmx.target == "results":
        return render(request, "datanets/partials/explore_results.html", context)
    return render(request, "datanets/explore.html", context)


def detail(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    return render(request, "datanets/detail.html", {
        "datanet": datanet,
        "role": permissions.role_of(request.user, datanet),
        "can_edit": permissions.can_edit(request.user, datanet),
        "contribution_refusal": permissions.contribution_refusal(request.user, datanet),
        "members": selectors.membership_list(datanet=datanet)[:12],
        "schema_json": json.dumps(datanet.record_schema, indent=2),
        "transitions": sorted(services.TRANSITIONS.get(datanet.status, set())),
    })


def _datanet_form_page(request: HttpRequest, datanet: Datanet | None) -> HttpResponse:
    editing = datanet is not None
    if request.method == "POST":
        rows = builder_rows_from_post(request.POST)
        form = DatanetForm(request.POST, builder_rows=rows, editing=editing)
        if form.is_valid():
            data = form.cleaned_data
            fields = {k: data[k] for k in ("summary", "description", "domain", "license", "visibility",
                                           "text_field", "txt_mode", "record_schema")}
            try:
                if editing:
                    datanet = services.datanet_update(datanet=datanet, actor=request.user, name=data["name"],
                                                      tags=data["tags"], **fields)
                    messages.success(request, "Saved.")
                else:
                    datanet = services.datanet_create(owner=request.user, name=data["name"], slug=data["slug"],
                                                      tags=data["tags"], **fields)
                    messages.success(request, "Datanet created as a draft. Open it for contributions when ready.")
                return redirect("datanets:detail", slug=datanet.slug)
            except ValidationError as exc:
                _form_errors_from(exc, form)
    else:
        if editing:
            rows = builder_rows_from_schema(datanet.record_schema)
            initial = {
                "name": datanet.name, "summary": datanet.summary, "description": datanet.description,
                "tags": ", ".join(datanet.tags.values_list("name", flat=True)), "domain": datanet.domain,
                "license": datanet.license, "visibility": datanet.visibility, "text_field": datanet.text_field,
                "txt_mode": datanet.txt_mode, "schema_mode": "builder" if rows else "raw",
                "record_schema_json": json.dumps(datanet.record_schema, indent=2),
            }
        else:
            rows = [{"index": 0, "name": "text", "type": "string", "required": True, "max_length": None}]
            initial = {}
        form = DatanetForm(initial=initial, builder_rows=rows, editing=editing)
    return render(request, "datanets/form.html", {
        "form": form, "datanet": datanet, "rows": form.builder_rows, "field_types": FIELD_TYPES,
        "next_index": max([r["index"] for r in form.builder_rows], default=-1) + 1,
    })


@login_required
def create(request: HttpRequest) -> HttpResponse:
    return _datanet_form_page(request, None)


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_edit(request.user, datanet):
        raise PermissionDenied("Only owners can edit this datanet.")
    return _datanet_form_page(request, datanet)


def field_row(request: HttpRequest) -> HttpResponse:
    """One more row of the field builder (htmx)."""
    try:
        index = max(0, min(int(request.GET.get("index", "0")), 29))
    except ValueError:
        index = 0
    row = {"index": index, "name": "", "type": "string", "required": False, "max_length": None}
    return render(request, "datanets/partials/field_row.html",
                  {"row": row, "field_types": FIELD_TYPES, "next_index": index + 1})


@login_required
def policies(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_edit(request.user, datanet):
        raise PermissionDenied("Only owners can change curation policies.")
    form = PoliciesForm(request.POST or None, instance=Datanet.objects.get(pk=datanet.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.datanet_update(datanet=datanet, actor=request.user,
                                    **{k: form.cleaned_data[k] for k in PoliciesForm.Meta.fields})
            messages.success(request, "Policies saved. They apply to records processed from now on.")
            return redirect("datanets:detail", slug=datanet.slug)
        except ValidationError as exc:
            _form_errors_from(exc, form)
    return render(request, "datanets/policies.html", {"form": form, "datanet": datanet})


@login_required
@require_POST
def set_status(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_edit(request.user, datanet):
        raise PermissionDenied("Only owners can change the status.")
    try:
        services.datanet_set_status(datanet=datanet, actor=request.user, status=request.POST.get("status", ""))
        messages.success(request, "Status changed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("datanets:detail", slug=slug)


@login_required
def members(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if permissions.role_of(request.user, datanet) is None and not permissions.is_staff(request.user):
        raise PermissionDenied("Only members can see the member list.")
    can_manage = permissions.can_manage_members(request.user, datanet)
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("Only owners can invite members.")
        if form.is_valid():
            try:
                result = services.membership_invite(datanet=datanet, actor=request.user, **form.cleaned_data)
                if hasattr(result, "user"):
                    messages.success(request, f"{result.user.username} is now a {result.role}.")
                else:
                    messages.success(request, f"Invitation sent to {result.email}; they join when they sign up.")
                return redirect("datanets:members", slug=slug)
            except ValidationError as exc:
                _form_errors_from(exc, form)
    return render(request, "datanets/members.html", {
        "datanet": datanet, "memberships": selectors.membership_list(datanet=datanet), "form": form,
        "can_manage": can_manage, "roles": Membership.Role.choices,
        "invitations": datanet.invitations.filter(accepted_at__isnull=True) if can_manage else [],
    })


@login_required
@require_POST
def member_role(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_manage_members(request.user, datanet):
        raise PermissionDenied("Only owners can change roles.")
    try:
        services.membership_change_role(datanet=datanet, actor=request.user, username=username,
                                        role=request.POST.get("role", ""))
        messages.success(request, f"{username} is now a {request.POST.get('role')}.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("datanets:members", slug=slug)


@login_required
@require_POST
def member_remove(request: HttpRequest, slug: str, username: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    leaving = username == request.user.username
    if not leaving and not permissions.can_manage_members(request.user, datanet):
        raise PermissionDenied("Only owners can remove members.")
    try:
        services.membership_remove(datanet=datanet, actor=request.user, username=username)
        messages.success(request, "You left the datanet." if leaving else f"{username} was removed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("datanets:members", slug=slug)
    if leaving and not permissions.can_view(request.user, datanet):
        return redirect("datanets:explore")
    return redirect("datanets:members" if not leaving else "datanets:detail", slug=slug)
