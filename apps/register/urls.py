from django.urls import path

from . import views

app_name = "register"

urlpatterns = [
    path("", views.register_list, name="list"),
    path("letters.csv", views.register_csv, name="csv"),
    path("<str:party>/", views.register_party, name="party"),
    path("<str:party>/feed/", views.party_feed, name="feed"),
]
