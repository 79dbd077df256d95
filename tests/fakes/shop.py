"""A fake shop API (CONTRACT 5.2): `/orders` and `/products` with `page`/`per_page`, the token in
`Authorization`, and every accepted body shape and way of ending the paging."""

from .http import FakeServer, Reply, Request, page_number

SHAPES = ("list", "data", "named", "items")  # a bare array, or an object holding it under that key
PAGING = ("empty", "total_pages", "pages")  # end at an empty page, or say how many pages there are


def shop_product(number: int, **fields) -> dict:
    record = {
        "id": number,
        "name": f"Produkt {number}",
        "price": f"{number % 90 + 9}.90",
        "stock": number % 40,
        "category": "Zubehör",
        "is_active": True,
        "updated_at": "2026-03-01T10:00:00Z",
    }
    record.update(fields)
    return record


def shop_order(number: int, items=None, **fields) -> dict:
    items = items if items is not None else [{"product_id": 1, "name": "Produkt 1", "quantity": 2, "price": "9.90"}]
    if "total" not in fields and isinstance(items, list):
        fields["total"] = f"{sum(float(i['price']) * int(i['quantity']) for i in items if i.get('price')):.2f}"
    record = {
        "id": 1000 + number,
        "status": "processing",
        "total": None,
        "customer_name": f"Kundin {number}",
        "customer_phone": "+49 170 0000000",
        "created_at": "2026-03-02T09:30:00+01:00",
        "updated_at": "2026-03-02T09:30:00+01:00",
        "items": items,
    }
    record.update(fields)
    return record


class FakeShop(FakeServer):
    def __init__(self, *, token="shop-Token-9", orders=(), products=(), shape="data", paging="empty"):
        super().__init__()
        self.token = token
        self.orders: list[dict] = list(orders)
        self.products: list[dict] = list(products)
        self.shape = shape
        self.paging = paging
        self.ignore_paging = False  # answer every page with all records (a shop without paging)

    def route(self, request: Request):
        return request.path.strip("/"), page_number(request.query, default=1)

    def answer(self, request: Request) -> Reply:
        resource = request.path.strip("/")
        if resource not in ("orders", "products"):
            return Reply(404, {"error": "not found"})
        if request.headers.get("authorization") != self.token:
            return Reply(401, {"error": "invalid token"})
        records = self.orders if resource == "orders" else self.products
        try:
            page = max(1, int(request.query.get("page", 1)))
            per_page = max(1, int(request.query.get("per_page", 20)))
        except ValueError:
            return Reply(400, {"error": "bad paging"})
        chunk = records if self.ignore_paging else records[(page - 1) * per_page : page * per_page]
        pages = max(1, -(-len(records) // per_page))
        if self.shape == "list":
            return Reply(200, chunk)
        # "unknown": a key the contract does not name (a broken shop).
        key = {"data": "data", "named": resource, "items": "items", "unknown": "results"}[self.shape]
        body = {key: chunk}
        if self.paging != "empty":
            body[self.paging] = pages
            body["total"] = len(records)
        return Reply(200, body)
