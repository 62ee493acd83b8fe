"""Webhook pages (htmx) under a datanet: the endpoints you manage, registering one, an endpoint's
page with its delivery log (refreshing while deliveries are pending) and "redeliver".
Thin: selectors read, services write."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from datanets import selectors as datanet_selectors
from webhooks import delivery as delivery_service
from webhooks import permissions, selectors, services
from webhooks.forms import EndpointForm
from webhooks.models import Delivery, Endpoint

DELIVERIES_PER_PAGE = 25


def _form_errors_from(exc: ValidationError, form) -> None:
    for field, msgs in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, msgs)


def _endpoint(request: HttpRequest, slug: str, pk: int) -> Endpoint:
    datanet = datanet_selectors.datanet_get_for_user(user=request.user, slug=slug)
    return selectors.endpoint_get_for_user(user=request.user, datanet=datanet, pk=pk)


@login_required
def endpoint_list(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = datanet_selectors.datanet_get_for_user(user=request.user, slug=slug)
    every = permissions.can_receive_every_event(request.user, datanet)
    form = EndpointForm(request.POST or None, can_receive_every_event=every)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(datanet=datanet, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            # The secret is shown on this response only; it is never put in a cookie or the session.
            return _detail(request, endpoint, new_secret=endpoint.secret, status=201)
    endpoints = list(selectors.endpoint_list_for_user(user=request.user, datanet=datanet))
    return render(request, "webhooks/list.html", {
        "datanet": datanet, "endpoints": endpoints, "form": form, "can_receive_every_event": every,
        "disabled": selectors.endpoints_disabled(endpoints=endpoints),
    })


def _detail(request: HttpRequest, endpoint: Endpoint, *, form: EndpointForm | None = None, new_secret: str = "",
            status: int = 200) -> HttpResponse:
    every = permissions.can_receive_every_event(request.user, endpoint.datanet)
    if form is None:
        form = EndpointForm(initial={"url": endpoint.url, "description": endpoint.description,
                                     "scope": endpoint.scope, "events": endpoint.events},
                            can_receive_every_event=every)
    return render(request, "webhooks/detail.html", {
        "datanet": endpoint.datanet, "endpoint": endpoint, "form": form, "new_secret": new_secret,
        **_deliveries_context(request, endpoint),
    }, status=status)


def _deliveries_context(request: HttpRequest, endpoint: Endpoint) -> dict:
    page = Paginator(selectors.delivery_list(endpoint=endpoint), DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    pending = any(d.status == Delivery.Status.PENDING for d in page)
    return {"deliveries": page, "pending": pending, "endpoint": endpoint, "datanet": endpoint.datanet}


@login_required
def endpoint_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, slug, pk)
    if request.method != "POST":
        return _detail(request, endpoint)
    every = permissions.can_receive_every_event(request.user, endpoint.datanet)
    form = EndpointForm(request.POST, can_receive_every_event=every)
    if form.is_valid():
        try:
            services.endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect("webhooks:detail", slug=slug, pk=endpoint.pk)
        except ValidationError as exc:
            _form_errors_from(exc, form)
    return _detail(request, endpoint, form=form)


@login_required
def deliveries(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, slug, pk)
    return render(request, "webhooks/partials/deliveries.html", _deliveries_context(request, endpoint))


@login_required
@require_POST
def redeliver(request: HttpRequest, slug: str, pk: int, delivery_id: int) -> HttpResponse:
    endpoint = _endpoint(request, slug, pk)
    original = selectors.delivery_get(endpoint=endpoint, pk=delivery_id)
    try:
        delivery_service.delivery_redeliver(delivery=original, actor=request.user)
        notice = ("success", f"Event {original.event.type} queued for delivery again.")
    except delivery_service.DeliveryRefused as exc:
        notice = ("error", exc.message)
    if request.htmx:
        endpoint.refresh_from_db()
        return render(request, "webhooks/partials/deliveries.html",
                      {**_deliveries_context(request, endpoint), "notice": notice})
    getattr(messages, notice[0])(request, notice[1])
    return redirect("webhooks:detail", slug=slug, pk=endpoint.pk)


@login_required
@require_POST
def secret(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, slug, pk)
    rotate = request.POST.get("rotate") == "1"
    value = services.endpoint_secret(endpoint=endpoint, actor=request.user, rotate=rotate)
    if request.htmx:
        return render(request, "webhooks/partials/secret.html", {"secret": value, "rotated": rotate})
    return _detail(request, endpoint, new_secret=value)


@login_required
@require_POST
def set_active(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, slug, pk)
    active = request.POST.get("active") == "1"
    services.endpoint_set_active(endpoint=endpoint, actor=request.user, active=active)
    messages.success(request, "Enabled: new events are delivered again. Redeliver what it missed below."
                     if active else "Paused: events are not delivered until you enable it again.")
    return redirect("webhooks:detail", slug=slug, pk=endpoint.pk)


@login_required
@require_POST
def delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, slug, pk)
    services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, "Webhook endpoint deleted.")
    return redirect("webhooks:list", slug=slug)
