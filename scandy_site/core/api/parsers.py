import codecs
import json
import math

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        # 1e999 parses as infinity, which no column stores and no JSON encoder writes back.
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, strict about what a request body may hold.

    Deep nesting (Python's decoder recurses) and out-of-range numbers are a 400, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            data = json.loads(text, parse_float=_finite_float, parse_constant=_reject_constant)
            if "\\u" in text:
                # An escaped lone surrogate ("\ud800") is valid JSON grammar but no character: nothing can
                # store it, and echoing it in an error message would break the response.
                json.dumps(data, ensure_ascii=False).encode("utf-8")
            return data
        except RecursionError as exc:
            raise ParseError(_("JSON parse error - nested too deeply.")) from exc
        except UnicodeEncodeError as exc:
            raise ParseError(_("JSON parse error - invalid Unicode escape.")) from exc
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(detail)s") % {"detail": exc}) from exc
