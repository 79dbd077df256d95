"""No page request, however malformed, gets a 500: random query strings on every list page, CSV export and
label sheet, random barcodes in detail URLs. (The API has its own fuzz tests; pages answer HTML, so here the
check is the status, plus a full read of streamed CSV, where a database error would only show late.)"""

from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from lending import services
from tests.factories import ConsumableFactory, ToolFactory, WorkerFactory
from tests.fuzz import FUZZ, queries, query_string, texts

QUERY_KEYS = [
    "q", "page", "ordering", "status", "category", "location", "below_min", "maintenance_due_before", "supplier",
    "active", "tool", "worker", "since", "until", "state", "open", "kind", "barcode", "width_mm", "height_mm",
    "margin_top_mm", "margin_left_mm", "gap_mm", "department",
]  # fmt: skip
LIST_PAGES = [
    "/", "/inventory/tools/", "/inventory/consumables/", "/workers/", "/lendings/", "/quickscan/",
    "/inventory/tools/export.csv", "/inventory/consumables/export.csv", "/lendings/export.csv", "/labels/",
    "/inventory/tools/export.xlsx", "/inventory/consumables/export.xlsx", "/lendings/export.xlsx",
    "/workers/export.csv", "/workers/export.xlsx", "/inventory/tools/import/", "/workers/import/",
]  # fmt: skip
DETAIL_PAGES = ["/workers/{}/", "/workers/{}/edit/", "/inventory/tools/{}/", "/inventory/consumables/{}/"]


@pytest.fixture
def browser(admin_user, department):
    worker = WorkerFactory(department=department, barcode="W-1")
    lent = ToolFactory(department=department, barcode="T-1", name="Bohrmaschine")
    ConsumableFactory(department=department, barcode="C-1")
    services.lending_checkout(tool=lent, worker=worker, user=None)
    client = Client()
    client.force_login(admin_user)
    return client


def assert_answered(response):
    # The test client re-raises a view's exception, so a crash fails here too.
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.streaming:
        b"".join(response.streaming_content)


@pytest.mark.parametrize("path", LIST_PAGES)
@FUZZ
@given(query=queries(QUERY_KEYS), htmx=st.booleans())
def test_random_query_strings_on_pages(browser, path, query, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    assert_answered(browser.get(f"{path}?{query_string(query)}", headers=headers))


@pytest.mark.parametrize("template", DETAIL_PAGES)
@FUZZ
@given(barcode=texts | st.sampled_from(["T-1", "W-1", "C-1", "new", "export.csv"]))
def test_random_barcodes_in_page_urls(browser, template, barcode):
    if not barcode:
        return
    assert_answered(browser.get(template.format(quote(barcode, safe="", errors="surrogatepass"))))


@pytest.mark.parametrize(
    "url",
    ["/inventory/tools/?q=%00", "/inventory/consumables/?q=%00", "/labels/?kind=tool&barcode=%00",
     "/lendings/?tool=%00", "/lendings/export.csv?worker=%00", "/workers/%00/", "/workers/?q=a%00b",
     "/inventory/tools/T-1/?x=%00", "/workers/?%00=1"],
)  # fmt: skip
def test_a_nul_in_the_url_is_a_bad_request(browser, url):
    response = browser.get(url)
    assert response.status_code == 400
    assert 'data-testid="error-400"' in response.content.decode()
