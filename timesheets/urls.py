from django.urls import path

from . import views

app_name = "timesheets"
urlpatterns = [
    path("", views.timesheet_list, name="list"),
    path("week/", views.current_week, name="current"),
    path("week/go/", views.week_jump, name="jump"),
    path("week/<int:year>/<int:week>/", views.week_view, name="week"),
    path("week/<int:year>/<int:week>/entries/", views.entry_add, name="entry-add"),
    path("week/<int:year>/<int:week>/note/", views.note_save, name="note"),
    path("week/<int:year>/<int:week>/copy/", views.copy_previous, name="copy"),
    path("entries/<int:pk>/edit/", views.entry_edit, name="entry-edit"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry-delete"),
    path("reports/<int:pk>/", views.report_detail, name="detail"),
    path("reports/<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("reports/<int:pk>/<str:action>/", views.report_action, name="action"),
    path("approvals/", views.approvals, name="approvals"),
]
