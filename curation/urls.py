from django.urls import path

from curation import review_views

app_name = "curation"

urlpatterns = [
    path("d/<slug:slug>/review/", review_views.review_page, name="review"),
    path("d/<slug:slug>/review/next/", review_views.review_next, name="review_next"),
    path("d/<slug:slug>/review/decide/", review_views.review_decide, name="review_decide"),
]

from curation import release_views  # noqa: E402

urlpatterns += [
    path("d/<slug:slug>/releases/", release_views.release_list_page, name="releases"),
    path("d/<slug:slug>/releases/cut/", release_views.release_cut, name="release_cut"),
    path("releases/<int:pk>/", release_views.release_detail, name="release"),
    path("releases/<int:pk>/progress/", release_views.release_progress, name="release_progress"),
    path("releases/<int:pk>/files/<str:kind>/", release_views.release_file, name="release_file"),
]

from curation import moderation_views  # noqa: E402  (reports and moderation)

urlpatterns += [
    path("records/<int:pk>/report/", moderation_views.report_record, name="report_record"),
    path("d/<slug:slug>/report/", moderation_views.report_datanet, name="report_datanet"),
    path("d/<slug:slug>/unfreeze/", moderation_views.unfreeze, name="unfreeze"),
    path("moderation/", moderation_views.queue, name="moderation"),
    path("moderation/reports/<int:pk>/resolve/", moderation_views.resolve, name="moderation_resolve"),
    path("moderation/audit/", moderation_views.audit, name="moderation_audit"),
]

from curation import appeal_views  # noqa: E402

urlpatterns += [
    path("records/<int:pk>/appeal/", appeal_views.appeal_record, name="appeal_record"),
    path("d/<slug:slug>/appeals/", appeal_views.appeal_queue, name="appeals"),
    path("appeals/<int:pk>/resolve/", appeal_views.appeal_resolve, name="appeal_resolve"),
]

from curation import gold_views  # noqa: E402

urlpatterns += [
    path("d/<slug:slug>/gold/", gold_views.gold_page, name="gold"),
    path("d/<slug:slug>/gold/policy/", gold_views.gold_policy, name="gold_policy"),
    path("d/<slug:slug>/gold/mark/", gold_views.gold_mark, name="gold_mark"),
    path("gold/<int:pk>/retire/", gold_views.gold_retire, name="gold_retire"),
]

from curation import bulk_views  # noqa: E402

urlpatterns += [
    path("d/<slug:slug>/review/bulk/", bulk_views.bulk_page, name="bulk"),
    path("d/<slug:slug>/review/bulk/preview/", bulk_views.bulk_preview, name="bulk_preview"),
    path("d/<slug:slug>/review/bulk/apply/", bulk_views.bulk_apply, name="bulk_apply"),
]
