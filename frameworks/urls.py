from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="framework-list"),
    path("<slug:slug>/<str:version>/", views.framework_detail, name="framework-detail"),
    path("<slug:slug>/<str:version>/framework.json", views.framework_json, name="framework-json"),
    path(
        "<slug:slug>/<str:version>/vocabularies.json",
        views.vocabularies_json,
        name="framework-vocabularies",
    ),
]
