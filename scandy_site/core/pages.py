"""Small pages every app uses."""

from django.shortcuts import render


def choose_department_page(request, what: str):
    """Creating needs one department; with "all departments" chosen, ask for it first and come back."""
    return render(
        request,
        "core/choose_department.html",
        {"what": what, "departments": request.department_scope.allowed, "next": request.get_full_path()},
    )
