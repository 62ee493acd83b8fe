"""Release pages (htmx): the list with a "Cut release" button for owners, a release's page with
its progress while building and its dataset card once ready, and file downloads.
Thin: selectors read, `curation.releases` writes."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from curation import dataset_card, release_selectors, releases
from curation.models import Release
from datanets import permissions, selectors
from datanets.rendering import render_markdown


def release_file_response(release: Release, kind: str) -> HttpResponse:
    """One file of a ready release: a redirect to a presigned GET URL on S3, streamed from disk
    locally. The caller has already checked that the user may see the release."""
    if kind not in releases.FILENAMES:
        raise Http404(f"A release has no {kind!r} file; choose one of {', '.join(releases.FILENAMES)}.")
    if release.status != Release.Status.READY or kind not in release.files:
        raise Http404("This release has no files: it is still building, or it failed.")
    key = release.files[kind]["key"]
    filename = f"{release.datanet.slug}-v{release.version}-{releases.FILENAMES[kind]}"
    if settings.STORAGE_BACKEND == "s3":
        url = default_storage.url(key, parameters={
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": releases.CONTENT_TYPES[kind],
        })
        return HttpResponseRedirect(url)
    return FileResponse(default_storage.open(key, "rb"), as_attachment=True, filename=filename,
                        content_type=releases.CONTENT_TYPES[kind])


def release_list_page(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    return render(request, "curation/releases.html", {
        "datanet": datanet,
        "releases": release_selectors.release_list(datanet=datanet),
        "can_cut": permissions.can_cut_release(request.user, datanet),
        "building": release_selectors.release_building(datanet=datanet),
    })


@login_required
@require_POST
def release_cut(request: HttpRequest, slug: str) -> HttpResponse:
    datanet = selectors.datanet_get_for_user(user=request.user, slug=slug)
    if not permissions.can_cut_release(request.user, datanet):
        raise PermissionDenied("Only the datanet's owners cut releases.")
    try:
        release = releases.release_create(datanet=datanet, actor=request.user)
    except releases.ReleaseRefused as exc:
        messages.error(request, exc.message)
        return redirect("curation:releases", slug=datanet.slug)
    messages.success(request, f"Release v{release.version} is being built; this page follows its progress.")
    return redirect("curation:release", pk=release.pk)


def _detail_context(release: Release) -> dict:
    context = {"release": release, "datanet": release.datanet, "kinds": []}
    if release.status == Release.Status.READY:
        front, body = dataset_card.split_front_matter(release_selectors.release_card_text(release=release))
        context.update(card_front_matter=front, card_html=render_markdown(body))
        context["kinds"] = [{"kind": kind, "name": releases.FILENAMES[kind], **release.files[kind]}
                            for kind in releases.FILENAMES if kind in release.files]
    return context


def release_detail(request: HttpRequest, pk: int) -> HttpResponse:
    release = release_selectors.release_get_for_user(user=request.user, release_id=pk)
    return render(request, "curation/release_detail.html", _detail_context(release))


def release_progress(request: HttpRequest, pk: int) -> HttpResponse:
    release = release_selectors.release_get_for_user(user=request.user, release_id=pk)
    response = render(request, "curation/partials/release_progress.html", {"release": release})
    if release.status != Release.Status.BUILDING and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the card and the files once the build is over
    return response


def release_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    release = release_selectors.release_get_for_user(user=request.user, release_id=pk)
    return release_file_response(release, kind)
