from django.urls import path

from cppa_pinecone_sync import views

urlpatterns = [
    path("search/", views.search_view, name="search"),
    path("api/search", views.search_api_view, name="api-search"),
]
