from django.urls import path

from . import views

app_name = "tickets"
urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_create, name="create"),
    path("order/", views.external_order, name="order"),
    path("order/thanks/", views.external_order_thanks, name="order-thanks"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/edit/", views.ticket_edit, name="edit"),
    path("<int:pk>/transition/", views.ticket_transition, name="transition"),
    path("<int:pk>/assign/", views.ticket_assign, name="assign"),
    path("<int:pk>/unassign/<str:username>/", views.ticket_unassign, name="unassign"),
    path("<int:pk>/messages/", views.ticket_message, name="message"),
    path("<int:pk>/order/", views.ticket_order_edit, name="order-edit"),
    path("<int:pk>/order/work/", views.ticket_work_add, name="work-add"),
    path("<int:pk>/order/material/", views.ticket_material_add, name="material-add"),
    path("<int:pk>/order/<str:kind>/<int:line_id>/delete/", views.ticket_line_delete, name="line-delete"),
    path("<int:pk>/export.<str:fmt>", views.ticket_export, name="export"),
]
