from django.urls import path

from . import views

urlpatterns = [
    path("cases/mine/", views.mine, name="my-cases"),
    path("applications/<str:reference>/case/claim/", views.claim, name="case-claim"),
    path("applications/<str:reference>/case/assign/", views.assign, name="case-assign"),
    path("applications/<str:reference>/case/release/", views.release, name="case-release"),
    path("applications/<str:reference>/case/notes/", views.note, name="case-note"),
    path("applications/<str:reference>/case/nudge/", views.nudge, name="case-nudge"),
]
