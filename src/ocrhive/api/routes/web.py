"""Pages for people: the playground at ``/`` (assets shipped in ``ocrhive/web``), ``/docs``
(Swagger UI from the ``swagger_ui_bundle`` package, no CDN), and the language list the
playground fills its menu from (``GET /v5.0/ocrhive/languages``, our extension)."""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from importlib import resources
from pathlib import Path

import swagger_ui_bundle  # type: ignore[import-untyped]  # the package ships no type information
from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ocrhive.domain.recognition import Language
from ocrhive.engines.registry import describe_engines

router = APIRouter(tags=["playground"])

#: the playground's assets, shipped as package data (``web/*``)
_WEB = resources.files("ocrhive") / "web"
#: Swagger UI files /docs needs; nothing else of the bundle is served
_SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")
_SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)

#: the browser may load nothing from another host; blob: and data: carry the uploaded image
#: and the result downloads, which never leave the page
PLAYGROUND_CSP = (
    "default-src 'self'; img-src 'self' data: blob:; connect-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
)
#: Swagger UI starts from an inline script and styles its widgets inline
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)


def _asset(data: bytes, name: str, csp: str) -> Response:
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type.endswith("javascript"):
        media_type += "; charset=utf-8"
    return Response(
        data,
        media_type=media_type,
        headers={
            "Content-Security-Policy": csp,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )


@router.get("/", include_in_schema=False)
async def playground() -> Response:
    return _asset((_WEB / "index.html").read_bytes(), "index.html", PLAYGROUND_CSP)


@router.get("/web/{name}", include_in_schema=False)
async def playground_asset(name: str) -> Response:
    # only a plain file name of the shipped folder: no path ever reaches the file system
    if "/" in name or "\\" in name or name.startswith(".") or name == "index.html":
        raise HTTPException(404, f"No playground asset {name!r}.")
    asset = _WEB / name
    if not asset.is_file():
        raise HTTPException(404, f"No playground asset {name!r}.")
    return _asset(asset.read_bytes(), name, PLAYGROUND_CSP)


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    page = get_swagger_ui_html(
        openapi_url="/docs/openapi.json",
        title=f"{request.app.title} API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js",
        swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
        # Swagger UI would otherwise show a badge fetched from validator.swagger.io
        swagger_ui_parameters={"validatorUrl": None},
    )
    page.headers["Content-Security-Policy"] = DOCS_CSP
    return page


@router.get("/docs/openapi.json", include_in_schema=False)
async def docs_openapi(request: Request) -> JSONResponse:
    """The API's OpenAPI document labelled 3.0 for the Swagger UI we ship (4.15, the one
    swagger_ui_bundle packages), which refuses to render a document that says 3.1; it shows
    FastAPI's 3.1 schemas fine. ``/openapi.json`` stays the exact 3.1 document."""
    document = dict(request.app.openapi())
    document["openapi"] = "3.0.3"
    return JSONResponse(document)


@router.get("/docs/assets/{name}", include_in_schema=False)
async def docs_asset(name: str) -> Response:
    if name not in _SWAGGER_FILES:
        raise HTTPException(404, f"No documentation asset {name!r}.")
    data = await run_in_threadpool((_SWAGGER_DIR / name).read_bytes)
    response = _asset(data, name, DOCS_CSP)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@lru_cache(maxsize=1)
def _installed(model_dirs: tuple[Path, ...]) -> frozenset[str]:
    """Languages some engine can read on this machine (model files are looked for, none
    loaded); computed once per process, as models are installed with the server stopped."""
    found: set[str] = set()
    for engine in describe_engines(list(model_dirs) or None):
        languages = engine["languages"]
        assert isinstance(languages, list)
        found.update(str(lang) for lang in languages)
    return frozenset(found)


@router.get("/v5.0/ocrhive/languages", operation_id="OcrhiveLanguages", tags=["ocrhive"])
async def languages(request: Request) -> JSONResponse:
    """Every ``settings.language`` value, and whether this server has a model for it.

    An ocrhive extension (not part of Aspose's API), used by the playground's language menu.
    ``installed`` is what the machine answering sees; in distributed mode worker nodes may
    have other models.
    """
    model_dirs: tuple[Path, ...] = tuple(getattr(request.app.state, "model_dirs", None) or ())
    installed = await run_in_threadpool(_installed, model_dirs)
    return JSONResponse(
        {
            "languages": [
                {"name": lang.value, "installed": lang.value in installed} for lang in Language
            ]
        }
    )
