"""The engine a worker uses: routes each request to the engine chosen for its language."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from PIL import Image

from ocrhive.domain.document import Page
from ocrhive.domain.recognition import Language
from ocrhive.engines.base import Engine, EngineRequest
from ocrhive.engines.languages import PREFERRED_ENGINE
from ocrhive.engines.rapidocr import RapidOcrEngine
from ocrhive.engines.tesseract import TesseractEngine

#: The engine every language without a preference goes to.
DEFAULT_ENGINE = "tesseract"


def default_factories(model_dirs: list[Path] | None = None) -> dict[str, Callable[[], Engine]]:
    """How to build each engine this server knows, by name (nothing is loaded yet)."""
    return {
        "tesseract": lambda: TesseractEngine(model_dirs),
        "rapidocr": lambda: RapidOcrEngine(threads=1),
    }


class EngineRegistry:
    """An :class:`~ocrhive.engines.base.Engine` that dispatches to the right real engine.

    Engines are built on first use and kept for the life of the process, so a worker that only
    ever reads English never loads RapidOCR's ~1 GB of ONNX sessions.

    Args:
        model_dirs: extra Tesseract model folders, searched first.
        routes: language → engine name, for languages that do not go to ``tesseract``.
        factories: engine name → builder; tests pass fakes here.
    """

    name = "auto"

    def __init__(
        self,
        model_dirs: list[Path] | None = None,
        *,
        routes: Mapping[Language, str] | None = None,
        factories: Mapping[str, Callable[[], Engine]] | None = None,
    ) -> None:
        self._routes = dict(PREFERRED_ENGINE if routes is None else routes)
        self._factories = dict(default_factories(model_dirs) if factories is None else factories)
        self._engines: dict[str, Engine] = {}

    @property
    def engine_names(self) -> tuple[str, ...]:
        """Every engine this registry can build, the default first."""
        return tuple(sorted(self._factories, key=lambda n: (n != DEFAULT_ENGINE, n)))

    def engine(self, name: str) -> Engine:
        """The engine called ``name``, built on first use."""
        engine = self._engines.get(name)
        if engine is None:
            engine = self._engines[name] = self._factories[name]()
        return engine

    def loaded(self) -> tuple[str, ...]:
        """The engines built so far."""
        return tuple(self._engines)

    def engine_for(self, language: Language) -> Engine:
        """The engine that reads ``language``: its preferred one when that engine has it
        installed, otherwise the default engine (which explains what to install if it fails)."""
        preferred = self._routes.get(language, DEFAULT_ENGINE)
        if preferred != DEFAULT_ENGINE and preferred in self._factories:
            engine = self.engine(preferred)
            if language in engine.installed_languages():
                return engine
        return self.engine(DEFAULT_ENGINE)

    def recognize(self, image: Image.Image, request: EngineRequest) -> Page:
        return self.engine_for(request.language).recognize(image, request)

    def installed_languages(self) -> frozenset[Language]:
        found: frozenset[Language] = frozenset()
        for name in self.engine_names:
            found |= self.engine(name).installed_languages()
        return found

    def warm_up(self, language: Language = Language.ENGLISH) -> None:
        """Load the engine and model for ``language`` now rather than on the first task."""
        engine = self.engine_for(language)
        warm = getattr(engine, "warm_up", None)
        if callable(warm):
            warm(language)


def describe_engines(model_dirs: list[Path] | None = None) -> list[dict[str, object]]:
    """Each engine with the languages it can read here and the languages routed to it.

    This is what ``ocrhive engines`` prints; no model is loaded to answer it.
    """
    registry = EngineRegistry(model_dirs)
    installed = registry.installed_languages()
    out: list[dict[str, object]] = []
    for name in registry.engine_names:
        engine = registry.engine(name)
        routed = sorted(
            lang.value
            for lang in installed
            if registry.engine_for(lang) is engine and lang in engine.installed_languages()
        )
        out.append(
            {
                "engine": name,
                "languages": sorted(lang.value for lang in engine.installed_languages()),
                "routed": routed,
            }
        )
    return out
